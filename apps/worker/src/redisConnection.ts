import { createRedisClient, type RedisClient, type RedisTarget } from '@org/sessions';
import type { Redis } from 'ioredis';

/**
 * An ioredis connection for BullMQ workers, to one Redis or a Redis Cluster (`REDIS_CLUSTER_NODES`): they
 * block on Redis, so BullMQ requires `maxRetriesPerRequest: null` (a command waits for the reconnect instead
 * of failing after 20 retries).
 *
 * @example
 * const connection = createRedisConnection({ url: env.REDIS_URL, clusterNodes: env.REDIS_CLUSTER_NODES });
 */
export function createRedisConnection(url: string, name?: string): Redis;
export function createRedisConnection(target: RedisTarget, name?: string): RedisClient;
export function createRedisConnection(target: string | RedisTarget, name = 'worker'): RedisClient {
  const where = typeof target === 'string' ? { url: target } : target;
  return createRedisClient(where, { maxRetriesPerRequest: null, connectionName: name });
}
