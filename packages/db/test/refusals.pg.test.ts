import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_LIFECYCLE_MIGRATION,
  CUTOVER_MIGRATION,
  CutoverRefusedError,
  initOrm,
  LEGACY_SCHEMA_MIGRATION,
  LockTimeoutError,
  type Orm,
  PreflightError,
  runMigrations,
} from '../src/index.js';
import { SEED_PASSWORD_HASH, seedLegacyData } from '../src/testing/index.js';
import { databaseFingerprint } from './support/databaseFingerprint.js';
import { testDatabasePerTest } from './support/testDatabasePerTest.js';
import { rows } from './support/withOrm.js';

const databases = testDatabasePerTest();
const legacyDatabase = (users = 200) => databases.legacy(users);

const exec = (o: Orm, sql: string) => o.em.getConnection().execute(sql, [], 'run');

describe('preflight', () => {
  it('reports every problem at once, with counts and examples, and changes nothing', async () => {
    const o = await legacyDatabase();
    // an old database whose constraints were never created (or were dropped) can hold all of this
    await exec(o, 'ALTER TABLE verification_tokens DROP CONSTRAINT verification_tokens_user_id_fkey');
    await exec(o, 'ALTER TABLE social_accounts DROP CONSTRAINT social_accounts_user_id_fkey');
    await exec(o, 'ALTER TABLE users ALTER COLUMN date_joined DROP NOT NULL');
    await exec(o, 'ALTER TABLE user_profiles ALTER COLUMN created_at DROP NOT NULL');
    await exec(o, 'UPDATE users SET date_joined = NULL WHERE id IN (3, 5)');
    await exec(o, 'UPDATE user_profiles SET created_at = NULL WHERE id = 7');
    await exec(o, 'UPDATE verification_tokens SET user_id = 999999 WHERE id IN (1, 2, 3)');
    await exec(o, 'UPDATE social_accounts SET user_id = 888888 WHERE id = 4');
    await exec(o, `UPDATE users SET email = 'USER10@example.com' WHERE id = 11`);
    await exec(o, `UPDATE users SET email = 'user10@EXAMPLE.com' WHERE id = 12`);
    await exec(o, `UPDATE users SET date_joined = '1500-01-01Z' WHERE id = 20`);
    await exec(o, `UPDATE verification_tokens SET purpose = 'magic_link' WHERE id = 9`);
    const before = await databaseFingerprint(o);

    const error = await runMigrations(o).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreflightError);
    const problems = (error as PreflightError).problems;
    const summary = Object.fromEntries(problems.map((p) => [`${p.code} ${p.table}.${p.column}`, p.count]));
    expect(summary).toEqual({
      'null_value users.date_joined': 2,
      'null_value user_profiles.created_at': 1,
      'orphaned_row verification_tokens.user_id': 3,
      'orphaned_row social_accounts.user_id': 1,
      'duplicate_email users.email': 3,
      'timestamp_out_of_range users.date_joined': 1,
      'invalid_purpose verification_tokens.purpose': 1,
    });
    expect(problems.find((p) => p.code === 'null_value' && p.table === 'users')?.examples).toEqual([
      '3',
      '5',
    ]);
    expect(problems.find((p) => p.code === 'duplicate_email')?.examples).toEqual(['user10@example.com x3']);
    expect(problems.find((p) => p.table === 'social_accounts')?.examples).toEqual(['4 (user_id 888888)']);
    expect((error as Error).message).toContain('nothing was changed');
    expect(await databaseFingerprint(o)).toEqual(before);
  });

  it('finds exact and case-insensitive duplicate emails where the unique index was dropped', async () => {
    const o = await legacyDatabase();
    await exec(o, 'ALTER TABLE users DROP CONSTRAINT users_email_key');
    await exec(o, `UPDATE users SET email = 'user10@example.com' WHERE id = 11`);
    await exec(o, `UPDATE users SET email = 'USER10@example.com' WHERE id = 12`);
    await exec(o, `UPDATE users SET email = 'user30@example.com' WHERE id = 31`);
    const error = await runMigrations(o).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreflightError);
    const problem = (error as PreflightError).problems.find((p) => p.code === 'duplicate_email');
    expect(problem).toMatchObject({ count: 5, examples: ['user10@example.com x3', 'user30@example.com x2'] });
  });

  it('shows the same problems in a dry run, without touching the database', async () => {
    const o = await legacyDatabase();
    await exec(o, `UPDATE users SET email = upper(email) WHERE id = 2`);
    await exec(o, `UPDATE users SET email = 'user2@example.com' WHERE id = 3`);
    const before = await databaseFingerprint(o);
    const report = await runMigrations(o, { dryRun: true });
    expect(report.dryRun).toBe(true);
    expect(report.applied).toEqual([CUTOVER_MIGRATION, ACCOUNT_LIFECYCLE_MIGRATION]);
    expect(report.preflight?.problems.map((p) => p.code)).toEqual(['duplicate_email']);
    expect(report.preflight?.rowCounts.users).toBe(200);
    expect(report.estimatedLockMs).toBeGreaterThan(0);
    expect(await databaseFingerprint(o)).toEqual(before);
  });
});

describe('locks', () => {
  const held = [
    ['ACCESS SHARE', 'users'],
    ['ROW EXCLUSIVE', 'users'],
    ['ROW EXCLUSIVE', 'verification_tokens'],
  ] as const;
  for (const [mode, table] of held) {
    it(`fails fast and unchanged while another session holds ${mode} on ${table}, and succeeds once it is released`, async () => {
      const o = await legacyDatabase();
      const before = await databaseFingerprint(o);
      const other = await initOrm({ clientUrl: databases.url, poolMax: 1 });
      try {
        const connection = other.em.getConnection();
        const trx = await connection.begin();
        await connection.execute(`LOCK TABLE ${table} IN ${mode} MODE`, [], 'run', trx);
        const error = await runMigrations(o, { lockTimeoutMs: 300 }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(LockTimeoutError);
        expect((error as LockTimeoutError).table).toBe(table);
        expect(await databaseFingerprint(o)).toEqual(before);
        await connection.rollback(trx);
      } finally {
        await other.close(true);
      }
      const report = await runMigrations(o, { lockTimeoutMs: 300 });
      expect(report.cutover?.outcome).toBe('migrated');
    });
  }
});

describe('options', () => {
  it('refuses a worker count that is not a non-negative integer before taking any lock, and changes nothing', async () => {
    const o = await legacyDatabase();
    const before = await databaseFingerprint(o);
    for (const parallelWorkers of [-1, 1.5, 2000]) {
      const error = await runMigrations(o, { parallelWorkers }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RangeError);
      expect(String(error)).toContain(
        `parallelWorkers must be an integer from 0 to 1024, got ${parallelWorkers}`,
      );
    }
    expect(await databaseFingerprint(o)).toEqual(before);
  });
});

describe('schema checks', () => {
  it('keeps a column of its own on a product table, names every product column that is missing or changed, and changes nothing', async () => {
    const o = await legacyDatabase(20);
    await exec(o, 'ALTER TABLE users ADD COLUMN nickname text');
    await exec(o, 'ALTER TABLE social_accounts DROP COLUMN extra_data');
    await exec(o, 'ALTER TABLE verification_tokens ALTER COLUMN token_hash TYPE varchar(128)');
    const before = await databaseFingerprint(o);
    const error = await runMigrations(o).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CutoverRefusedError);
    expect((error as CutoverRefusedError).refusals.map((r) => `${r.object}: ${r.reason}`)).toEqual([
      "column verification_tokens.token_hash: is character varying(128), the product's schema has character varying(64)",
      'table social_accounts: the product\'s column "extra_data" is missing',
    ]);
    expect((error as Error).message).toContain('nothing was changed');
    expect(await databaseFingerprint(o)).toEqual(before);
  });

  it('refuses a user table without the creation instant its ids encode, and says which flag names it', async () => {
    const { orm } = await databases.open('empty');
    await exec(orm, 'CREATE TABLE members (id serial PRIMARY KEY, email text, joined date)');
    const error = await runMigrations(orm, { cutover: { usersTable: 'members' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CutoverRefusedError);
    expect((error as CutoverRefusedError).refusals).toEqual([
      {
        object: 'table members',
        reason: 'has no creation column "date_joined" (it has no timestamp column)',
        fix: 'name the column holding when each user joined with --created-column (or "createdColumn")',
      },
    ]);
    const typed = await runMigrations(orm, {
      cutover: { usersTable: 'members', createdColumn: 'joined' },
    }).catch((e: unknown) => e);
    expect((typed as CutoverRefusedError).refusals[0]?.reason).toBe(
      'its creation column joined is date, not a timestamp (it has no timestamp column)',
    );
  });
});

describe('a legacy database MikroORM never managed', () => {
  it('is recognised by its schema, adopted, and migrated; the next run is a no-op', async () => {
    const { orm } = await databases.open('empty');
    const { LEGACY_SCHEMA_SQL } = await import('../src/migrations/legacySchemaSql.js');
    await orm.em.getConnection().execute(LEGACY_SCHEMA_SQL, [], 'run');
    await seedLegacyData(orm, { users: 50 });
    await exec(
      orm,
      `INSERT INTO users (email, password, date_joined) VALUES ('x@example.com', '${SEED_PASSWORD_HASH}', now())`,
    );

    const dry = await runMigrations(orm, { dryRun: true });
    expect(dry.adopted).toEqual([LEGACY_SCHEMA_MIGRATION]);
    expect(await rows(orm, `SELECT to_regclass('mikro_orm_migrations') AS t`)).toEqual([{ t: null }]);

    const report = await runMigrations(orm);
    expect(report.initialState).toBe('legacy');
    expect(report.adopted).toEqual([LEGACY_SCHEMA_MIGRATION]);
    expect(report.applied).toEqual([CUTOVER_MIGRATION, ACCOUNT_LIFECYCLE_MIGRATION]);
    expect(report.cutover?.rowCounts.users).toEqual({ before: 51, after: 51 });
    const history = await rows<{ name: string }>(orm, 'SELECT name FROM mikro_orm_migrations ORDER BY id');
    expect(history.map((h) => h.name)).toEqual([
      LEGACY_SCHEMA_MIGRATION,
      CUTOVER_MIGRATION,
      ACCOUNT_LIFECYCLE_MIGRATION,
    ]);
    expect((await runMigrations(orm)).applied).toEqual([]);
  });

  it('adopts an unmanaged database that already has the migrated schema without touching its rows', async () => {
    const { orm } = await databases.open('migrated');
    await exec(orm, 'DROP TABLE mikro_orm_migrations');
    const report = await runMigrations(orm);
    expect(report.initialState).toBe('migrated');
    expect(report.adopted).toEqual([LEGACY_SCHEMA_MIGRATION, CUTOVER_MIGRATION]);
    // Recorded, not run again: the migration finds its tables in place.
    expect(report.applied).toEqual([ACCOUNT_LIFECYCLE_MIGRATION]);
    expect(report.cutover).toBeUndefined();
  });
});
