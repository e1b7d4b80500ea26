import { afterAll, describe, expect, it } from 'vitest';
import { adminQuery, adminSql } from '../src/testing/adminSql.js';
import { dropStaleTestDatabases, testDatabaseName } from '../src/testing/createTestDatabase.js';

const HOUR = 60 * 60 * 1000;
const now = Date.now();
const stale = testDatabaseName(now - 3 * HOUR);
const fresh = testDatabaseName(now - 60 * 1000);
const unrelated = `test_db_keep_${testDatabaseName(now - 3 * HOUR).slice(-12)}`;

const existing = async () =>
  new Set(
    (await adminQuery<{ datname: string }>('SELECT datname FROM pg_database')).map((row) => row.datname),
  );

describe('test databases left by killed runs', () => {
  afterAll(() =>
    adminSql([stale, fresh, unrelated].map((name) => `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  );

  it('are dropped once older than two hours; younger and differently named ones are kept', async () => {
    await adminSql([stale, fresh, unrelated].map((name) => `CREATE DATABASE ${name}`));
    const dropped = await dropStaleTestDatabases(now);
    expect(dropped).toContain(stale);
    const left = await existing();
    expect(left.has(stale)).toBe(false);
    expect(left.has(fresh)).toBe(true);
    expect(left.has(unrelated)).toBe(true);
  });
});
