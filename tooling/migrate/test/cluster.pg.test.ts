import { redisSnapshot } from '@org/sessions/testing';
import { redisTopologies } from '@org/sessions/testing/vitest';
import { describe, expect } from 'vitest';
import {
  databaseContents,
  LEGACY_JOBS,
  legacySystemTest,
  migrateIn,
  statusesOf,
  USERS,
  usersIdType,
} from './cutoverTest.js';

const cluster = redisTopologies().find((topology) => topology.name === 'cluster')!;
const test = legacySystemTest(cluster.target);

describe('pnpm migrate on a Redis Cluster (REDIS_CLUSTER_NODES)', () => {
  test('a dry run finds the legacy keys on every master and the queued jobs, and writes nothing', async ({
    legacy,
  }) => {
    const database = await databaseContents(legacy.database.url);
    const keys = await redisSnapshot(legacy.redis, `${legacy.stem}:`);
    const jobs = await redisSnapshot(legacy.redis, `${legacy.env.QUEUE_PREFIX}:`);
    expect(legacy.env.QUEUE_PREFIX).toMatch(/^\{migrate-test-[0-9a-f]+\}-bull$/);

    const { code, summary } = await migrateIn(legacy.env, '--dry-run', '--json');
    expect(statusesOf(summary)).toEqual({
      database: 'planned',
      sessions: 'planned',
      'queued-jobs': 'planned',
    });
    expect(code).toBe(0);
    expect(summary?.steps[1]?.counts).toMatchObject({ removed: 3 * USERS });
    expect(summary?.steps[2]?.counts).toMatchObject({ found: LEGACY_JOBS });

    expect(await databaseContents(legacy.database.url)).toEqual(database);
    expect(await redisSnapshot(legacy.redis, `${legacy.stem}:`)).toEqual(keys);
    expect(await redisSnapshot(legacy.redis, `${legacy.env.QUEUE_PREFIX}:`)).toEqual(jobs);
  });

  test('with the cluster unreachable: the database step is done, the sessions step names the seed nodes and how to check them, the rest is not run', async ({
    legacy,
  }) => {
    const dead = '127.0.0.1:6399,127.0.0.1:6398';
    const keys = await redisSnapshot(legacy.redis, `${legacy.stem}:`);
    const { code, summary, out } = await migrateIn({ ...legacy.env, REDIS_CLUSTER_NODES: dead });
    expect(code).toBe(1);
    expect(summary).toBeUndefined();
    expect(out).toContain(`sessions failed after`);
    expect(out).toContain(`cannot reach the Redis Cluster at ${dead}`);
    expect(out).toContain('REDIS_CLUSTER_NODES names nodes of a running cluster');
    expect(out).toMatch(/queued-jobs +skipped +- +not run: the sessions step did not succeed/);
    expect(await usersIdType(legacy.database.url)).toBe('uuid');
    expect(await redisSnapshot(legacy.redis, `${legacy.stem}:`)).toEqual(keys);
  });

  test('run again on the cluster, it removes the legacy keys of every master, reporting each, translates the jobs, then is a no-op', async ({
    legacy,
  }) => {
    const run = await migrateIn(legacy.env, '--json');
    expect(statusesOf(run.summary)).toEqual({
      database: 'already-done',
      sessions: 'done',
      'queued-jobs': 'done',
    });
    expect(run.code).toBe(0);
    const sessions = run.summary?.steps[1]?.report as {
      removed: number;
      byNode: Record<string, { removed: number }>;
    };
    expect(sessions.removed).toBe(3 * USERS);
    // 900 keys over 16,384 slots: each of the three masters held some, and reported them.
    expect(Object.keys(sessions.byNode).sort()).toEqual([...cluster.target.clusterNodes!].sort());
    for (const node of Object.values(sessions.byNode)) expect(node.removed).toBeGreaterThan(0);
    expect(run.summary?.steps[2]?.counts).toMatchObject({ found: LEGACY_JOBS });
    expect((await redisSnapshot(legacy.redis, `${legacy.stem}:`)).size).toBe(0);

    const again = await migrateIn(legacy.env, '--json');
    expect(again.code).toBe(0);
    expect(statusesOf(again.summary)).toEqual({
      database: 'already-done',
      sessions: 'already-done',
      'queued-jobs': 'already-done',
    });
  });
});
