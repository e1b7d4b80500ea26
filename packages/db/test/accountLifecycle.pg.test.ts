import { afterEach, describe, expect, it } from 'vitest';
import {
  ACCOUNT_LIFECYCLE_MIGRATION,
  AccountDeletion,
  CUTOVER_MIGRATION,
  DROP_LEGACY_MAP_MIGRATION,
  initOrm,
  type Orm,
  runMigrations,
  User,
  UserExport,
} from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.js';
import { rows } from './support/withOrm.js';

let db: TestDatabase | undefined;
const orms: Orm[] = [];
afterEach(async () => {
  for (const orm of orms.splice(0)) await orm.close(true);
  await db?.drop();
  db = undefined;
});

async function open(url: string, options: { dropLegacyMap?: boolean } = {}): Promise<Orm> {
  const orm = await initOrm({ clientUrl: url, ...options });
  orms.push(orm);
  return orm;
}

describe('the account lifecycle migration', () => {
  it('adds user_exports and account_deletions, which go with their user; the opt-in drop of legacy_user_ids still follows', async () => {
    db = await createTestDatabase({ state: 'empty' });
    const orm = await open(db.url);
    expect((await runMigrations(orm)).applied).toContain(ACCOUNT_LIFECYCLE_MIGRATION);

    const em = orm.em.fork();
    const user = em.create(User, { email: 'ada@example.com', password: 'x' });
    const exported = em.create(UserExport, { user, expiresAt: new Date(Date.now() + 3600_000) });
    em.create(AccountDeletion, { user, deleteAfter: new Date(Date.now() + 3600_000) });
    await em.flush();
    expect(exported.slug).toMatch(/^[0-9A-Za-z]{22}$/);
    expect(exported.status).toBe('pending');
    await orm.em.fork().nativeDelete(User, { id: user.id });
    expect(await orm.em.fork().count(UserExport, {})).toBe(0);
    expect(await orm.em.fork().count(AccountDeletion, {})).toBe(0);

    const dropping = await open(db.url, { dropLegacyMap: true });
    expect((await runMigrations(dropping)).applied).toEqual([DROP_LEGACY_MAP_MIGRATION]);
    expect(await rows(dropping, `SELECT to_regclass('legacy_user_ids') AS t`)).toEqual([{ t: null }]);
    expect(await dropping.schema.getUpdateSchemaSQL()).toBe('');
    expect((await runMigrations(dropping)).applied).toEqual([]);
  });

  it("changes nothing on a database whose user table is not the product's users", async () => {
    db = await createTestDatabase({ state: 'empty' });
    const orm = await open(db.url);
    await orm.em.getConnection().execute(
      `CREATE TABLE members (id serial PRIMARY KEY, email text, date_joined timestamptz NOT NULL DEFAULT now());
         INSERT INTO members (email) VALUES ('grace@example.com')`,
      [],
      'run',
    );
    const report = await runMigrations(orm, { cutover: { usersTable: 'members' } });
    expect(report.applied).toEqual([CUTOVER_MIGRATION, ACCOUNT_LIFECYCLE_MIGRATION]);
    expect(
      await rows(orm, `SELECT to_regclass('user_exports') AS e, to_regclass('account_deletions') AS d`),
    ).toEqual([{ e: null, d: null }]);
    expect(
      await rows(
        orm,
        `SELECT data_type FROM information_schema.columns WHERE table_name = 'members' AND column_name = 'id'`,
      ),
    ).toEqual([{ data_type: 'uuid' }]);
  });
});
