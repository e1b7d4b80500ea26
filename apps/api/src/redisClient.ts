import { createRedisClient, type RedisClient, type RedisTarget } from '@org/sessions';
import type { Redis } from 'ioredis';

/**
 * The api's Redis connection, to one Redis (`REDIS_URL`) or a Redis Cluster (`REDIS_CLUSTER_NODES`).
 * Requests must fail fast while Redis is away (503, not a hung request): no offline queue, one retry, a short
 * command timeout. ioredis keeps reconnecting in the background, so the api recovers by itself when Redis
 * returns.
 *
 * @example
 * const redis = createApiRedis({ url: env.REDIS_URL, clusterNodes: env.REDIS_CLUSTER_NODES });
 */
export function createApiRedis(url: string): Redis;
export function createApiRedis(target: RedisTarget): RedisClient;
export function createApiRedis(target: string | RedisTarget): RedisClient {
  const redis = createRedisClient(typeof target === 'string' ? { url: target } : target, {
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

/**
 * BullMQ's connection in the api: it waits for Redis rather than failing fast (`maxRetriesPerRequest: null`),
 * on the same Redis or cluster as `createApiRedis`.
 *
 * @example
 * const jobs = createJobProducer({ connection: createApiQueueRedis(target), prefix });
 */
export function createApiQueueRedis(target: RedisTarget): RedisClient {
  return createRedisClient(target, { maxRetriesPerRequest: null, connectionName: 'api-queue' });
}
