import { afterEach, describe, expect, it } from 'vitest';
import { CUTOVER_MIGRATION, initOrm, LEGACY_SCHEMA_MIGRATION } from '../src/index.js';
import { createTestDatabase, seedLegacyData, type TestDatabase } from '../src/testing/index.js';
import { databaseFingerprint } from './support/databaseFingerprint.js';
import { runMigrate } from './support/spawnMigrate.js';

let db: TestDatabase | undefined;
afterEach(async () => {
  await db?.drop();
  db = undefined;
});

describe('the migrate command', () => {
  it('stops after --to, previews with --dry-run --json without changing anything, then migrates and is idempotent', async () => {
    db = await createTestDatabase({ state: 'empty' });
    const env = { DATABASE_URL: db.url };

    const toLegacy = await runMigrate(['--to', 'legacy_schema'], env);
    expect(toLegacy.code).toBe(0);
    expect(toLegacy.stdout).toContain(`applied: ${LEGACY_SCHEMA_MIGRATION}`);
    await seedLegacyData(db.url, { users: 100 });

    const orm = await initOrm({ clientUrl: db.url });
    try {
      const before = await databaseFingerprint(orm);
      const dry = await runMigrate(['--dry-run', '--json'], env);
      expect(dry.code).toBe(0);
      const plan = JSON.parse(dry.stdout);
      expect(plan).toMatchObject({
        ok: true,
        dryRun: true,
        initialState: 'legacy',
        applied: [CUTOVER_MIGRATION],
      });
      expect(plan.preflight.rowCounts).toEqual({
        users: 100,
        user_profiles: 100,
        verification_tokens: 200,
        social_accounts: 100,
      });
      expect(plan.estimatedLockMs).toBeGreaterThan(0);
      expect(await databaseFingerprint(orm)).toEqual(before);
    } finally {
      await orm.close(true);
    }

    const run = await runMigrate(['--json'], env);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.applied).toEqual([CUTOVER_MIGRATION]);
    expect(report.cutover.rowCounts.users).toEqual({ before: 100, after: 100 });
    expect(report.cutover.steps.map((s: { name: string }) => s.name)).toContain('copy verification_tokens');
    expect(run.stderr).toContain('[migrate] locks held on users');
    expect(run.stderr).toMatch(/copy users done in \d+ ms \(100 rows\)/);

    const again = await runMigrate([], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing to apply');
  }, 60_000);

  it('explains an unreachable server and rejected credentials, exiting 1', async () => {
    const refused = await runMigrate([], { DATABASE_URL: 'postgres://postgres:secret@127.0.0.1:1/x' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('cannot reach PostgreSQL at postgres://postgres:***@127.0.0.1:1/x');
    expect(refused.stderr).not.toContain('secret');

    const rejected = await runMigrate(['--json'], {
      DATABASE_URL: 'postgres://no_such_role@127.0.0.1:5432/postgres',
    });
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toContain('rejected the connection: role "no_such_role" does not exist');
    expect(JSON.parse(rejected.stdout)).toMatchObject({ ok: false, error: { code: 'db_auth' } });
  }, 60_000);

  it('names the tables and columns of a schema that is neither legacy nor migrated', async () => {
    db = await createTestDatabase({ state: 'legacy' });
    const orm = await initOrm({ clientUrl: db.url });
    try {
      await orm.em.getConnection().execute('ALTER TABLE user_profiles RENAME COLUMN bio TO about', [], 'run');
    } finally {
      await orm.close(true);
    }
    const result = await runMigrate(['--json'], { DATABASE_URL: db.url });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('column "user_profiles.bio" is missing');
    expect(JSON.parse(result.stdout).error.differences).toEqual([
      'column "user_profiles.bio" is missing (compared with the legacy schema)',
      'unexpected column "user_profiles.about" (compared with the legacy schema)',
    ]);
  }, 60_000);

  it('rejects unknown flags and migrations', async () => {
    const flag = await runMigrate(['--force'], {});
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('usage: migrate');
    db = await createTestDatabase({ state: 'empty' });
    const unknown = await runMigrate(['--to', 'nope'], { DATABASE_URL: db.url });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown migration "nope"');
  }, 60_000);
});
