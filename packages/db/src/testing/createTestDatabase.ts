import { randomBytes } from 'node:crypto';
import { initOrm } from '../initOrm.js';
import { LEGACY_SCHEMA_MIGRATION } from '../migrations/migrationsList.js';
import { runMigrations } from '../runMigrations.js';
import { adminSql, databaseUrl } from './adminSql.js';

export interface TestDatabase {
  /** Connection URL of the new database. */
  readonly url: string;
  /** Its name (`test_db_<random>`). */
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
  const name = `test_db_${randomBytes(8).toString('hex')}`;
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
