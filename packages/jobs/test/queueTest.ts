import { randomUUID } from 'node:crypto';
import { initOrm, type Orm, type UserId, UserIds } from '@org/db';
import { createTestDatabase } from '@org/db/testing';
import { createRedisClient } from '@org/sessions';
import { deleteKeysWithPrefix } from '@org/sessions/testing';
import { type RedisTopology, redisTopologies } from '@org/sessions/testing/vitest';
import { Queue } from 'bullmq';
import { test as base } from 'vitest';
import { DEFAULT_JOB_OPTIONS } from '../src/index.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Legacy users 1..MAPPED_USERS have a row in `legacy_user_ids`; others have none. */
export const MAPPED_USERS = 300;

export interface MappedDatabase {
  readonly url: string;
  readonly orm: Orm;
  /** Legacy id -> the UUID its `legacy_user_ids` row names. */
  readonly mapping: ReadonlyMap<number, UserId>;
}

/**
 * The set-up every queued-jobs test shares, as vitest fixtures:
 * - `database` (once per file): a migrated database of its own whose `legacy_user_ids` maps legacy users
 *   1..MAPPED_USERS, dropped afterwards;
 * - `topology` (per suite, `test.override('topology', …)`): one Redis (the default) or the package's test
 *   Redis Cluster;
 * - `redis`, `prefix`, `queue` (per test): a connection to that topology, a BullMQ prefix of its own (with a
 *   hash tag on the cluster: `{test-<uuid>}`) and the `jobs` queue under it; every key under the prefix is
 *   removed afterwards.
 */
export const queueTest = base
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  .extend('database', { scope: 'file' }, async ({}, { onCleanup }): Promise<MappedDatabase> => {
    const created = await createTestDatabase({ state: 'migrated' });
    const orm = await initOrm({ clientUrl: created.url });
    onCleanup(async () => {
      await orm.close();
      await created.drop();
    });
    const mapping = new Map<number, UserId>();
    const rows: string[] = [];
    for (let legacyId = 1; legacyId <= MAPPED_USERS; legacyId += 1) {
      const userId = UserIds.newId();
      mapping.set(legacyId, userId);
      rows.push(`(${legacyId}, '${userId}')`);
    }
    await orm.em
      .getConnection()
      .execute(`INSERT INTO legacy_user_ids (legacy_id, user_id) VALUES ${rows.join(', ')}`);
    return { url: created.url, orm, mapping };
  })
  .extend('topology', redisTopologies()[0] as RedisTopology)
  .extend('redis', async ({ topology }, { onCleanup }) => {
    const redis = createRedisClient(topology.target, { maxRetriesPerRequest: null });
    onCleanup(() => redis.disconnect());
    return redis;
  })
  .extend('prefix', async ({ redis, topology }, { onCleanup }) => {
    const prefix = topology.name === 'cluster' ? `{test-${randomUUID()}}` : `test-${randomUUID()}`;
    onCleanup(async () => {
      await deleteKeysWithPrefix(redis, `${prefix}:`);
    });
    return prefix;
  })
  .extend('queue', async ({ redis, prefix }, { onCleanup }) => {
    const queue = new Queue('jobs', { connection: redis, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
    onCleanup(() => queue.close());
    return queue;
  });
