import { Redis } from 'ioredis';
import { RedisUnreachableError } from './errors.js';

export interface ConnectRedisOptions {
  /** `CLIENT SETNAME`, shown by `CLIENT LIST`. */
  readonly connectionName?: string;
  /** How long to wait for the connection (default 5000 ms). */
  readonly connectTimeoutMs?: number;
}

/**
 * A connected ioredis client for a command (the migrate task, the demo), or a `RedisUnreachableError` that
 * names REDIS_URL's host and port and how to start Redis there. It does not reconnect: a command that loses
 * Redis fails with the cause and is run again. Errors are kept from ioredis's default handler, so nothing
 * prints `[ioredis] Unhandled error event` with a stack trace. Close it with `quit()` or `disconnect()`.
 *
 * @example
 * const redis = await connectRedis(env.REDIS_URL, { connectionName: 'migrate' });
 */
export async function connectRedis(url: string, options: ConnectRedisOptions = {}): Promise<Redis> {
  let lastError: unknown;
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    ...(options.connectionName === undefined ? {} : { connectionName: options.connectionName }),
  });
  redis.on('error', (error: unknown) => {
    lastError = error;
  });
  try {
    await redis.connect();
    return redis;
  } catch (error) {
    redis.disconnect();
    throw new RedisUnreachableError(url, { cause: lastError ?? error });
  }
}
