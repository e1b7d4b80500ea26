import { afterEach, describe, expect, it } from 'vitest';
import {
  ACCOUNT_LIFECYCLE_MIGRATION,
  CUTOVER_MIGRATION,
  initOrm,
  LEGACY_SCHEMA_MIGRATION,
} from '../src/index.js';
import { createTestDatabase, seedLegacyData, type TestDatabase } from '../src/testing/index.js';
import { databaseFingerprint } from './support/databaseFingerprint.js';
import { MIGRATE_TEST_TIMEOUT_MS, runMigrate } from './support/spawnMigrate.js';

let db: TestDatabase | undefined;
afterEach(async () => {
  await db?.drop();
  db = undefined;
});

describe('the migrate command', () => {
  it(
    'stops after --to, previews with --dry-run --json without changing anything, then migrates and is idempotent',
    async () => {
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
          applied: [CUTOVER_MIGRATION, ACCOUNT_LIFECYCLE_MIGRATION],
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
      expect(report.applied).toEqual([CUTOVER_MIGRATION, ACCOUNT_LIFECYCLE_MIGRATION]);
      expect(report.cutover.rowCounts.users).toEqual({ before: 100, after: 100 });
      expect(report.cutover.steps.map((s: { name: string }) => s.name)).toContain(
        'convert verification_tokens',
      );
      expect(run.stderr).toContain('[migrate] locks held on users, user_profiles');
      expect(run.stderr).toMatch(/convert users done in \d+ ms \(100 rows\)/);

      const again = await runMigrate([], env);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('nothing to apply');
    },
    MIGRATE_TEST_TIMEOUT_MS,
  );

  it(
    'explains an unreachable server and rejected credentials, exiting 1',
    async () => {
      const refused = await runMigrate([], { DATABASE_URL: 'postgres://postgres:secret@127.0.0.1:1/x' });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('cannot reach PostgreSQL at postgres://postgres:***@127.0.0.1:1/x');
      expect(refused.stderr).not.toContain('secret');

      const rejected = await runMigrate(['--json'], {
        DATABASE_URL: 'postgres://no_such_role@127.0.0.1:5432/postgres',
      });
      expect(rejected.code).toBe(1);
      expect(rejected.stderr).toContain('rejected the connection: role "no_such_role" does not exist');
      expect(JSON.parse(rejected.stdout)).toMatchObject({ ok: false, error: { code: 'DB_AUTH' } });
    },
    MIGRATE_TEST_TIMEOUT_MS,
  );

  it(
    'names what it refuses, with the fix, and exits 1',
    async () => {
      db = await createTestDatabase({ state: 'legacy' });
      const orm = await initOrm({ clientUrl: db.url });
      try {
        await orm.em
          .getConnection()
          .execute('ALTER TABLE user_profiles RENAME COLUMN bio TO about', [], 'run');
      } finally {
        await orm.close(true);
      }
      const result = await runMigrate(['--json'], { DATABASE_URL: db.url });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('table user_profiles: the product\'s column "bio" is missing');
      expect(JSON.parse(result.stdout).error).toMatchObject({
        code: 'CUTOVER_REFUSED',
        refusals: [{ object: 'table user_profiles', reason: 'the product\'s column "bio" is missing' }],
      });
    },
    MIGRATE_TEST_TIMEOUT_MS,
  );

  it(
    'never creates a database: a typo in DATABASE_URL is an error that names it, also in a dry run',
    async () => {
      const name = `no_such_db_${process.pid}`;
      for (const args of [['--dry-run'], []]) {
        const result = await runMigrate(args, { DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${name}` });
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(`database "${name}" does not exist`);
      }
      const { adminQuery } = await import('../src/testing/adminSql.js');
      expect(await adminQuery(`SELECT 1 FROM pg_database WHERE datname = '${name}'`)).toEqual([]);
    },
    MIGRATE_TEST_TIMEOUT_MS,
  );

  it(
    'refuses a database with tables but no user table, listing them and the flag that names it',
    async () => {
      db = await createTestDatabase({ state: 'empty' });
      const orm = await initOrm({ clientUrl: db.url });
      try {
        await orm.em.getConnection().execute('CREATE TABLE accounts_user (id serial PRIMARY KEY)', [], 'run');
      } finally {
        await orm.close(true);
      }
      const result = await runMigrate(['--dry-run'], { DATABASE_URL: db.url });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('no user table "users"');
      expect(result.stderr).toContain('tables found: public.accounts_user');
      expect(result.stderr).toContain('--users-table');
    },
    MIGRATE_TEST_TIMEOUT_MS,
  );

  it(
    'validates the configuration file and names the key that is wrong, exiting 2',
    async () => {
      const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
      const { tmpdir } = await import('node:os');
      const { join } = await import('node:path');
      const dir = await mkdtemp(join(tmpdir(), 'cutover-config-'));
      try {
        const file = join(dir, 'cutover.json');
        await writeFile(
          file,
          JSON.stringify({
            usersTable: 'users',
            references: [{ table: 't', column: 'c', action: 'convert' }],
          }),
        );
        const bad = await runMigrate(['--dry-run', '--config', file], {});
        expect(bad.code).toBe(2);
        expect(bad.stderr).toContain('references.0.action');
        await writeFile(file, '{"usersTable": ');
        const broken = await runMigrate(['--dry-run', '--config', file], {});
        expect(broken.code).toBe(2);
        expect(broken.stderr).toContain('is not JSON');
        const unknown = await runMigrate(['--dry-run', '--preset', 'rails'], {});
        expect(unknown.code).toBe(2);
        expect(unknown.stderr).toContain('preset');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    MIGRATE_TEST_TIMEOUT_MS,
  );

  it(
    'rejects unknown flags and migrations',
    async () => {
      const flag = await runMigrate(['--force'], {});
      expect(flag.code).toBe(2);
      expect(flag.stderr).toContain('usage: migrate');
      db = await createTestDatabase({ state: 'empty' });
      const unknown = await runMigrate(['--to', 'nope'], { DATABASE_URL: db.url });
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('unknown migration "nope"');
    },
    MIGRATE_TEST_TIMEOUT_MS,
  );
});
