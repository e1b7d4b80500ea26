import { Cluster } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { connectRedis, RedisUnreachableError } from '../src/index.js';
import { redisTopologies } from '../src/testing/vitest.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('connectRedis', () => {
  it('returns a connected client', async () => {
    const redis = await connectRedis(REDIS_URL, { connectionName: 'connect-test' });
    try {
      expect(await redis.ping()).toBe('PONG');
    } finally {
      redis.disconnect();
    }
  });

  it('names the address of REDIS_URL and how to start Redis on its port, without an ioredis stack trace', async () => {
    const printed = vi.spyOn(console, 'error');
    const attempt = connectRedis('redis://:secret@127.0.0.1:1/0');
    await expect(attempt).rejects.toBeInstanceOf(RedisUnreachableError);
    const error = (await attempt.catch((caught: unknown) => caught)) as RedisUnreachableError;
    expect(error.code).toBe('REDIS_UNREACHABLE');
    expect(error.message).toMatch(
      /^cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1\/0 \(.*ECONNREFUSED/,
    );
    expect(error.message).toContain('redis-server --daemonize yes --bind 127.0.0.1 --port 1 ');
    expect(error.message).not.toContain('secret');
    expect(error.message).not.toContain('6379');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(printed).not.toHaveBeenCalled();
  });

  it('connects to the Redis Cluster that REDIS_CLUSTER_NODES names', async () => {
    const cluster = redisTopologies().find((topology) => topology.name === 'cluster')!;
    const redis = await connectRedis(cluster.target, { connectionName: 'connect-test' });
    try {
      expect(redis).toBeInstanceOf(Cluster);
      expect(await redis.ping()).toBe('PONG');
    } finally {
      redis.disconnect();
    }
  });

  it('names the cluster nodes it could not reach, without an ioredis stack trace', async () => {
    const printed = vi.spyOn(console, 'error');
    const attempt = connectRedis({
      url: 'redis://127.0.0.1:6379',
      clusterNodes: ['127.0.0.1:1', '127.0.0.1:2'],
    });
    const error = (await attempt.catch((caught: unknown) => caught)) as RedisUnreachableError;
    expect(error).toBeInstanceOf(RedisUnreachableError);
    expect(error.message).toMatch(/^cannot reach the Redis Cluster at 127\.0\.0\.1:1,127\.0\.0\.1:2 /);
    expect(error.message).toContain('REDIS_CLUSTER_NODES');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(printed).not.toHaveBeenCalled();
  });

  it('does not suggest starting a server on another machine', () => {
    const error = new RedisUnreachableError('redis://cache.internal:6380', { cause: new Error('ETIMEDOUT') });
    expect(error.message).toContain('Check that Redis runs on cache.internal:6380');
    expect(error.message).not.toContain('redis-server');
  });
});
