import type { Cluster, Redis } from 'ioredis';

/**
 * What BullMQ and the cutover step accept: one Redis or a Redis Cluster (`createRedisClient` of
 * `@org/sessions`). On a cluster the queue prefix must carry a hash tag (`queuePrefixFor`).
 */
export type RedisConnection = Redis | Cluster;
