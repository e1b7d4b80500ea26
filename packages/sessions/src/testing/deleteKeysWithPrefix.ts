import { type RedisClient, unlinkKeys } from '../createRedisClient.js';
import { escapeGlob } from '../keyLayout.js';
import { scanKeys } from '../scanKeys.js';

/**
 * Removes every key under a prefix (SCAN + UNLINK, on every master of a cluster), so tests, benches and the demo sharing one Redis leave
 * nothing behind; returns how many keys it removed.
 *
 * @example
 * afterEach(() => deleteKeysWithPrefix(redis, prefix));
 */
export async function deleteKeysWithPrefix(redis: RedisClient, prefix: string): Promise<number> {
  if (prefix === '') throw new Error('deleteKeysWithPrefix needs a non-empty prefix');
  let removed = 0;
  for await (const keys of scanKeys(redis, `${escapeGlob(prefix)}*`, 1000))
    removed += await unlinkKeys(redis, keys);
  return removed;
}
