import { type RedisClient, redisMasters } from './createRedisClient.js';

/** One batch of `scanKeysByNode`: the keys one master returned for one SCAN call. */
export interface NodeKeyBatch {
  /** `host:port` of the master that holds the keys. */
  node: string;
  keys: string[];
}

/**
 * Every key whose name matches a glob `pattern`, as the non-empty batches that `SCAN MATCH … COUNT` returns:
 * never `KEYS`, so a shared Redis is never blocked. On a Redis Cluster every master is scanned in turn
 * (each holds its own slots). SCAN may return a key twice; callers that count must count what they do with
 * it (UNLINK's answer) or dedupe. Remove a batch with `unlinkKeys` (one multi-key UNLINK is CROSSSLOT there).
 *
 * @example
 * for await (const keys of scanKeys(redis, `${escapeGlob(prefix)}*`)) await unlinkKeys(redis, keys);
 */
export async function* scanKeys(redis: RedisClient, pattern: string, count = 500): AsyncGenerator<string[]> {
  for await (const batch of scanKeysByNode(redis, pattern, count)) yield batch.keys;
}

/**
 * `scanKeys` with the master each batch came from, for reports per node.
 *
 * @example
 * for await (const { node, keys } of scanKeysByNode(redis, 'session:*')) console.log(node, keys.length);
 */
export async function* scanKeysByNode(
  redis: RedisClient,
  pattern: string,
  count = 500,
): AsyncGenerator<NodeKeyBatch> {
  for (const master of await redisMasters(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await master.redis.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (keys.length > 0) yield { node: master.node, keys };
    } while (cursor !== '0');
  }
}
