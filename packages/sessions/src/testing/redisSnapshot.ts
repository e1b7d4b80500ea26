import type { RedisClient } from '../createRedisClient.js';
import { escapeGlob } from '../keyLayout.js';
import { scanKeys } from '../scanKeys.js';

/**
 * Every key under `prefix` with its serialized value (DUMP: type, content and encoding) and whether it
 * expires, sorted by key: two equal snapshots mean that nothing under the prefix was written, created or
 * removed in between (what a dry run promises).
 *
 * @example
 * const before = await redisSnapshot(redis, prefix);
 * await migrateQueuedJobs({ redis, orm, prefix, dryRun: true });
 * expect(await redisSnapshot(redis, prefix)).toEqual(before);
 */
export async function redisSnapshot(redis: RedisClient, prefix: string): Promise<Map<string, string>> {
  const entries: [string, string][] = [];
  for await (const keys of scanKeys(redis, `${escapeGlob(prefix)}*`)) {
    for (const key of keys) {
      const [dump, ttl] = await Promise.all([redis.dumpBuffer(key), redis.pttl(key)]);
      entries.push([key, `${dump?.toString('hex')} expires:${ttl >= 0}`]);
    }
  }
  return new Map(entries.sort(([a], [b]) => a.localeCompare(b)));
}
