import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createRateLimiter,
  createRedisClient,
  type RateLimiter,
  SessionStoreUnavailableError,
} from '../src/index.js';
import { deleteKeysWithPrefix } from '../src/testing/index.js';
import { redisTopologies } from '../src/testing/vitest.js';

const rule = { limit: 3, windowSeconds: 60 };

describe.each(redisTopologies())('createRateLimiter on $name Redis', ({ target }) => {
  const redis = createRedisClient(target);
  let prefix: string;
  let limiter: RateLimiter;

  beforeEach(() => {
    prefix = `test-${randomUUID()}:`;
    limiter = createRateLimiter({ redis, keyPrefix: prefix });
  });
  afterEach(() => deleteKeysWithPrefix(redis, prefix));
  afterAll(() => redis.quit());

  it('allows `limit` hits per window, then refuses with a Retry-After within the window', async () => {
    const decisions = [];
    for (let i = 0; i < 5; i += 1) decisions.push(await limiter.hit('login', '10.0.0.1', rule));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false, false]);
    expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0, 0, 0]);
    const refused = decisions[4]!;
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it('counts buckets and subjects separately, under the versioned namespace', async () => {
    for (let i = 0; i < 3; i += 1) await limiter.hit('login', 'a', rule);
    expect((await limiter.hit('login', 'b', rule)).allowed).toBe(true);
    expect((await limiter.hit('register', 'a', rule)).allowed).toBe(true);
    expect(await redis.get(`${prefix}sess:v3:rl:login:a`)).toBe('3');
    expect(await redis.pttl(`${prefix}sess:v3:rl:login:a`)).toBeGreaterThan(0);
  });

  it('forgets a subject on reset', async () => {
    for (let i = 0; i < 4; i += 1) await limiter.hit('login', 'a', rule);
    await limiter.reset('login', 'a');
    expect((await limiter.hit('login', 'a', rule)).allowed).toBe(true);
  });
});

describe('createRateLimiter', () => {
  it.each([
    ['a single Redis', { url: 'redis://127.0.0.1:1' }],
    ['a Redis Cluster', { url: 'redis://127.0.0.1:1', clusterNodes: ['127.0.0.1:1', '127.0.0.1:2'] }],
  ])('reports %s that is unreachable as SessionStoreUnavailableError', async (_, where) => {
    const down = createRedisClient(where, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    down.on('error', () => {});
    await expect(createRateLimiter({ redis: down }).hit('login', 'a', rule)).rejects.toBeInstanceOf(
      SessionStoreUnavailableError,
    );
    down.disconnect();
  });
});
