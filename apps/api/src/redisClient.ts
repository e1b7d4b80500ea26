import { Redis } from 'ioredis';

/**
 * The api's Redis connection. Requests must fail fast while Redis is away (503, not a hung request):
 * no offline queue, one retry, a short command timeout. ioredis keeps reconnecting in the background,
 * so the api recovers by itself when Redis returns.
 *
 * @example
 * const redis = createApiRedis(env.REDIS_URL);
 */
export function createApiRedis(url: string): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    // Commands issued in the same tick by concurrent requests go out in one write (fewer syscalls under load).
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  });
  // Connection errors are reported by the requests that need Redis (503) and by /ready; an unhandled
  // 'error' event would crash the process instead.
  redis.on('error', () => {});
  return redis;
}
