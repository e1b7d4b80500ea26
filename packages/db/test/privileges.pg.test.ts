import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUTOVER_MIGRATION, CutoverRefusedError, initOrm, type Orm, runMigrations } from '../src/index.js';
import { adminSql } from '../src/testing/adminSql.js';
import { databaseFingerprint } from './support/databaseFingerprint.js';
import { testDatabasePerTest } from './support/testDatabasePerTest.js';
import { rows } from './support/withOrm.js';

/*
 * Teams often migrate as a role that is not the superuser, and tables may belong to another role (the one a
 * framework's migrations ran as). ALTER TABLE needs the table's owner: the cutover says so before any change,
 * in the dry run too, instead of failing halfway with "must be owner of table ...".
 */
const suffix = randomBytes(4).toString('hex');
const ROLE = `team_cutover_${suffix}`;
beforeAll(() => adminSql([`CREATE ROLE ${ROLE} LOGIN`]));
afterAll(() => adminSql([`DROP ROLE IF EXISTS ${ROLE}`]));

const databases = testDatabasePerTest();

const exec = async (o: Orm, ...statements: string[]) => {
  for (const sql of statements) await o.em.getConnection().execute(sql, [], 'run');
};

/** The same database, connected as the test's role. */
async function withRole<T>(work: (orm: Orm) => Promise<T>): Promise<T> {
  const url = new URL(databases.url);
  url.username = ROLE;
  const orm = await initOrm({ clientUrl: url.toString(), poolMax: 1 });
  try {
    return await work(orm);
  } finally {
    await orm.close(true);
  }
}

const ordersByEmail = (o: Orm) =>
  rows(o, 'SELECT o.id, u.email FROM orders o JOIN users u ON u.id = o.user_id ORDER BY o.id');

describe('the role the cutover runs as', () => {
  it('is told, before any change, which tables and views it does not own and which privileges it lacks; as owner it cuts over', async () => {
    const o = await databases.legacy(10);
    const database = new URL(databases.url).pathname.slice(1);
    await exec(
      o,
      'CREATE TABLE orders (id serial PRIMARY KEY, user_id integer NOT NULL REFERENCES users(id))',
      'INSERT INTO orders (user_id) SELECT id FROM users',
      'CREATE VIEW team_orders AS SELECT o.id, u.email FROM orders o JOIN users u ON u.id = o.user_id',
      // The role owns the product's tables and may use everything else, but owns neither orders nor the view,
      // cannot create in the schema, and the database no longer lets everyone create temporary tables.
      ...['users', 'user_profiles', 'verification_tokens', 'social_accounts'].map(
        (table) => `ALTER TABLE ${table} OWNER TO ${ROLE}`,
      ),
      `GRANT USAGE ON SCHEMA public TO ${ROLE}`,
      `GRANT ALL ON ALL TABLES IN SCHEMA public TO ${ROLE}`,
      `GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO ${ROLE}`,
      `REVOKE TEMPORARY ON DATABASE "${database}" FROM PUBLIC`,
    );
    const before = await databaseFingerprint(o);
    const orders = await ordersByEmail(o);

    const dry = await withRole((role) => runMigrations(role, { dryRun: true }));
    const error = await withRole((role) => runMigrations(role).catch((e: unknown) => e));
    expect(error).toBeInstanceOf(CutoverRefusedError);
    const refusals = (error as CutoverRefusedError).refusals;
    expect(refusals).toEqual([
      {
        object: 'table orders',
        reason: 'is owned by postgres: only its owner (or a member of that role) can alter it',
        fix: 'run the cutover as postgres, or as a member of that role',
      },
      {
        object: 'view team_orders',
        reason: 'is owned by postgres: only its owner (or a member of that role) can alter it',
        fix: 'run the cutover as postgres, or as a member of that role',
      },
      {
        object: 'schema public',
        reason: `does not let ${ROLE} create legacy_user_ids there`,
        fix: `GRANT CREATE ON SCHEMA "public" TO "${ROLE}"`,
      },
      {
        object: 'the database',
        reason: `does not let ${ROLE} create the temporary tables the cutover works in`,
        fix: `GRANT TEMPORARY ON DATABASE "${database}" TO "${ROLE}"`,
      },
    ]);
    expect(dry.plan?.refusals).toEqual(refusals);
    expect(await databaseFingerprint(o)).toEqual(before);

    await exec(
      o,
      `ALTER TABLE orders OWNER TO ${ROLE}`,
      `ALTER VIEW team_orders OWNER TO ${ROLE}`,
      `GRANT CREATE ON SCHEMA public TO ${ROLE}`,
      `GRANT TEMPORARY ON DATABASE "${database}" TO ${ROLE}`,
    );
    const report = await withRole((role) => runMigrations(role));
    expect(report.applied).toContain(CUTOVER_MIGRATION);
    expect(await ordersByEmail(o)).toEqual(orders);
    expect(await rows(o, 'SELECT count(*)::int AS n FROM team_orders')).toEqual([{ n: 10 }]);
  });
});
