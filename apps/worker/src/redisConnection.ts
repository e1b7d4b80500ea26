import { Redis } from 'ioredis';

/**
 * An ioredis connection for BullMQ workers: they block on Redis, so BullMQ requires
 * `maxRetriesPerRequest: null` (a command waits for the reconnect instead of failing after 20 retries).
 */
export function createRedisConnection(url: string, name = 'worker'): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, connectionName: name });
}
