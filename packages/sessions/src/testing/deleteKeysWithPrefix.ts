import type { Redis } from 'ioredis';
import { escapeGlob } from '../keyLayout.js';

/**
 * Removes every key under a test's prefix (SCAN + UNLINK), so tests sharing one Redis leave nothing behind.
 *
 * @example
 * afterEach(() => deleteKeysWithPrefix(redis, prefix));
 */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  if (prefix === '') throw new Error('deleteKeysWithPrefix needs a non-empty prefix');
  let removed = 0;
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 1000);
    cursor = next;
    if (batch.length > 0) removed += await redis.unlink(...batch);
  } while (cursor !== '0');
  return removed;
}
