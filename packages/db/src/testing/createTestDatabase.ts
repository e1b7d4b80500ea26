import { randomBytes } from 'node:crypto';
import { initOrm } from '../initOrm.js';
import { LEGACY_SCHEMA_MIGRATION } from '../migrations/migrationsList.js';
import { runMigrations } from '../runMigrations.js';
import { adminQuery, adminSql, databaseUrl } from './adminSql.js';

export interface TestDatabase {
  /** Connection URL of the new database. */
  readonly url: string;
  /** Its name (`test_db_<creation time, base 36 ms>_<random>`). */
  readonly name: string;
  /** Drops it, disconnecting any session still on it. */
  drop(): Promise<void>;
}

export interface CreateTestDatabaseOptions {
  /** `migrated` (default): all migrations applied. `legacy`: only the legacy schema. `empty`: nothing. */
  readonly state?: 'migrated' | 'legacy' | 'empty';
}

/**
 * Creates a fresh PostgreSQL database with a random name on the server of `TEST_DATABASE_ADMIN_URL`
 * (default `postgres://postgres@127.0.0.1:5432/postgres`), migrated as asked, for one test or suite.
 *
 * @example
 * let db: TestDatabase;
 * beforeAll(async () => { db = await createTestDatabase({ state: 'migrated' }); });
 * afterAll(() => db.drop());
 */
export async function createTestDatabase(options: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  swept ??= dropStaleTestDatabases(Date.now());
  await swept;
  const name = testDatabaseName(Date.now());
  await adminSql([`CREATE DATABASE ${name}`]);
  const url = databaseUrl(name);
  const drop = () => adminSql([`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
  const state = options.state ?? 'migrated';
  if (state !== 'empty') {
    try {
      const orm = await initOrm({ clientUrl: url, poolMax: 1 });
      try {
        await runMigrations(orm, state === 'legacy' ? { to: LEGACY_SCHEMA_MIGRATION } : {});
      } finally {
        await orm.close(true);
      }
    } catch (error) {
      await drop();
      throw error;
    }
  }
  return { url, name, drop };
}

/** A test run lasts minutes; a test database this old was left by a run that was killed before its cleanup. */
const STALE_AFTER_MS = 2 * 60 * 60 * 1000;
const TEST_DATABASE_NAME = /^test_db_([0-9a-z]{8,9})_[0-9a-f]{12}$/;
let swept: Promise<unknown> | undefined;

/** The name of a test database created at `now` (ms): its age can be read back from it. */
export function testDatabaseName(now: number): string {
  return `test_db_${now.toString(36)}_${randomBytes(6).toString('hex')}`;
}

/**
 * Drops test databases older than two hours, left behind by killed runs; the first `createTestDatabase` of each
 * process calls it. Databases of running suites are younger, and other names are never touched.
 */
export async function dropStaleTestDatabases(now: number): Promise<string[]> {
  const rows = await adminQuery<{ datname: string }>(
    String.raw`SELECT datname FROM pg_database WHERE datname LIKE 'test\_db\_%'`,
  );
  const stale = rows
    .map((row) => row.datname)
    .filter((name) => {
      const created = TEST_DATABASE_NAME.exec(name)?.[1];
      return created !== undefined && now - Number.parseInt(created, 36) > STALE_AFTER_MS;
    });
  if (stale.length > 0) await adminSql(stale.map((name) => `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  return stale;
}
