import { uuidV6Ticks, uuidVersion } from '@org/ids';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCOUNT_LIFECYCLE_MIGRATION,
  CUTOVER_MIGRATION,
  initPgliteOrm,
  LEGACY_SCHEMA_MIGRATION,
  type PgliteOrm,
  runMigrations,
  translateLegacyUserIds,
  User,
} from '../src/index.js';
import { seedLegacyData } from '../src/testing/index.js';

const GREGORIAN_OFFSET_US = 12_219_292_800_000_000n;

// Embedded PostgreSQL needs no server; the file is named *.pg.test.ts because it runs the full cutover.
describe('the whole cutover on embedded PostgreSQL (@mikro-orm/pglite)', () => {
  let orm: PgliteOrm;

  beforeAll(async () => {
    orm = await initPgliteOrm({ dbName: 'memory://' });
  });
  afterAll(async () => {
    await orm?.close(true);
  });

  it('creates the legacy schema, migrates seeded data, and is a no-op afterwards', async () => {
    const legacy = await runMigrations(orm, { to: 'legacy_schema' });
    expect(legacy.applied).toEqual([LEGACY_SCHEMA_MIGRATION]);
    await seedLegacyData(orm, { users: 300 });
    const dry = await runMigrations(orm, { dryRun: true });
    expect(dry.preflight?.problems).toEqual([]);

    const report = await runMigrations(orm);
    expect(report.applied).toEqual([CUTOVER_MIGRATION, ACCOUNT_LIFECYCLE_MIGRATION]);
    expect(report.cutover?.rowCounts).toMatchObject({
      users: { before: 300, after: 300 },
      verification_tokens: { before: 600, after: 600 },
    });
    expect((await runMigrations(orm)).applied).toEqual([]);
  });

  it('wrote v6 ids that encode each row creation instant', async () => {
    const rows = (await orm.em
      .getConnection()
      .execute(
        `SELECT id::text AS id, (extract(epoch from created_at) * 1000000)::int8::text AS us FROM verification_tokens`,
      )) as {
      id: string;
      us: string;
    }[];
    expect(rows).toHaveLength(600);
    for (const row of rows) {
      expect(uuidVersion(row.id)).toBe(6);
      expect(uuidV6Ticks(row.id) / 10n - GREGORIAN_OFFSET_US).toBe(BigInt(row.us));
    }
  });

  it('has an empty schema diff and a working legacy id map', async () => {
    expect(await orm.schema.getUpdateSchemaSQL()).toBe('');
    const map = await translateLegacyUserIds(orm, [1, 2, 300, 301]);
    expect([...map.keys()].sort((a, b) => a - b)).toEqual([1, 2, 300]);
    const user = await orm.em.fork().findOneOrFail(User, { id: map.get(1)! });
    expect(user.email).toBe('user1@example.com');
  });
});
