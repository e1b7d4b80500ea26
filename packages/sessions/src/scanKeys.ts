import type { Redis } from 'ioredis';

/**
 * Every key whose name matches a glob `pattern`, as the non-empty batches that `SCAN MATCH … COUNT` returns:
 * never `KEYS`, so a shared Redis is never blocked. SCAN may return a key twice; callers that count must
 * count what they do with it (UNLINK's answer) or dedupe.
 *
 * @example
 * for await (const keys of scanKeys(redis, `${escapeGlob(prefix)}*`)) await redis.unlink(...keys);
 */
export async function* scanKeys(redis: Redis, pattern: string, count = 500): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', count);
    cursor = next;
    if (keys.length > 0) yield keys;
  } while (cursor !== '0');
}
