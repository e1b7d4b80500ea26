import { redisSnapshot } from '@org/sessions/testing';
import { describe, expect } from 'vitest';
import {
  databaseContents,
  LEGACY_JOBS,
  migrateIn,
  statusesOf,
  cutoverTest as test,
  USERS,
  usersIdType,
} from './cutoverTest.js';

// On one Redis; cluster.pg.test.ts runs the same dry run, failure (an unreachable cluster), resume and no-op on the
// run's Redis Cluster (issue 14). The unreachable database is PostgreSQL's case: no Redis topology changes it.
describe('pnpm migrate: the three steps in one process', () => {
  test('a dry run plans every step with a lock-time estimate and writes nothing anywhere', async ({
    legacy,
  }) => {
    const database = await databaseContents(legacy.database.url);
    const redis = await redisSnapshot(legacy.redis, legacy.stem);

    const { code, summary } = await migrateIn(legacy.env, '--dry-run', '--json');
    expect(statusesOf(summary)).toEqual({
      database: 'planned',
      sessions: 'planned',
      'queued-jobs': 'planned',
    });
    expect(code).toBe(0);
    expect(summary?.steps[0]?.counts).toMatchObject({ users: USERS, estimatedLockMs: expect.any(Number) });
    expect(summary?.steps[1]?.counts).toMatchObject({ removed: 3 * USERS });
    expect(summary?.steps[2]?.counts).toMatchObject({ found: LEGACY_JOBS });

    expect(await databaseContents(legacy.database.url)).toEqual(database);
    expect(await redisSnapshot(legacy.redis, legacy.stem)).toEqual(redis);
  });

  test('with Redis unreachable: the database step is done, the sessions step says how to start Redis on REDIS_URL, the rest is not run', async ({
    legacy,
  }) => {
    const { code, summary, out } = await migrateIn({ ...legacy.env, REDIS_URL: 'redis://127.0.0.1:6399' });
    expect(code).toBe(1);
    expect(out).toContain('== 1/3 database');
    expect(out).toContain('--port 6399');
    expect(out).not.toContain('--port 6379');
    expect(out).toMatch(/queued-jobs +skipped +- +not run: the sessions step did not succeed/);
    expect(out).toMatch(
      /cutover NOT complete: sessions failed \(cannot reach Redis at redis:\/\/127\.0\.0\.1:6399/,
    );
    expect(summary).toBeUndefined();
    expect(await usersIdType(legacy.database.url)).toBe('uuid');
    expect((await redisSnapshot(legacy.redis, `${legacy.stem}:session:`)).size).toBeGreaterThan(0);
  });

  test('run again, it completes the remaining steps; a third run is a no-op', async ({ legacy }) => {
    const second = await migrateIn(legacy.env, '--json');
    expect(statusesOf(second.summary)).toEqual({
      database: 'already-done',
      sessions: 'done',
      'queued-jobs': 'done',
    });
    expect(second.summary?.complete).toBe(true);
    expect(second.code).toBe(0);
    expect(second.summary?.steps[1]?.counts).toMatchObject({ removed: 3 * USERS });
    expect(second.summary?.steps[2]?.counts).toMatchObject({ found: LEGACY_JOBS });
    expect(second.err).toContain('== 3/3 queued-jobs');

    const third = await migrateIn(legacy.env, '--json');
    expect(third.code).toBe(0);
    expect(statusesOf(third.summary)).toEqual({
      database: 'already-done',
      sessions: 'already-done',
      'queued-jobs': 'already-done',
    });
  });

  test('an unreachable database: the summary names it, and says which step was not run and why', async ({
    legacy,
  }) => {
    const { code, out } = await migrateIn(
      { ...legacy.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' },
      '--dry-run',
    );
    expect(code).toBe(1);
    expect(out).toMatch(
      /database +failed .* cannot reach PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/none/,
    );
    expect(out).toMatch(/sessions +already-done/);
    expect(out).toMatch(
      /queued-jobs +skipped +- +not run: PostgreSQL could not be reached \(see the database step\)/,
    );
    expect(out).toContain('dry run: database failed (cannot reach PostgreSQL');
    expect(out).not.toContain('see its log above');
    expect(out).not.toContain('a check failed');
  });
});
