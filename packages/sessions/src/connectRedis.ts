import { createRedisClient, type RedisClient, type RedisTarget } from './createRedisClient.js';
import { RedisUnreachableError } from './errors.js';

export interface ConnectRedisOptions {
  /** `CLIENT SETNAME`, shown by `CLIENT LIST`. */
  readonly connectionName?: string;
  /** How long to wait for the connection (default 5000 ms). */
  readonly connectTimeoutMs?: number;
}

/**
 * A connected client for a command (the migrate task, the demo): one Redis at `REDIS_URL`, or a Redis
 * Cluster when the target has `clusterNodes` (`REDIS_CLUSTER_NODES`); or a `RedisUnreachableError` that names
 * the address and how to start Redis there. It does not reconnect: a command that loses Redis fails with the
 * cause and is run again. Errors are kept from ioredis's default handler, so nothing prints
 * `[ioredis] Unhandled error event` with a stack trace. Close it with `quit()` or `disconnect()`.
 *
 * @example
 * const redis = await connectRedis({ url: env.REDIS_URL, clusterNodes: env.REDIS_CLUSTER_NODES });
 */
export async function connectRedis(
  target: string | RedisTarget,
  options: ConnectRedisOptions = {},
): Promise<RedisClient> {
  const where = typeof target === 'string' ? { url: target } : target;
  let lastError: unknown;
  const redis = createRedisClient(where, {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    connectionName: options.connectionName,
  });
  redis.on('error', (error: unknown) => {
    lastError = error;
  });
  try {
    await redis.connect();
    return redis;
  } catch (error) {
    redis.disconnect();
    throw new RedisUnreachableError(where.url, {
      cause: lastError ?? error,
      clusterNodes: where.clusterNodes,
    });
  }
}
