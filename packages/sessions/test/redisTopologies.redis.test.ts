import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient, type RedisClient, redisMasters } from '../src/index.js';
import { redisTopologies } from '../src/testing/vitest.js';

describe.each(redisTopologies())('the $name topology', ({ name, target }) => {
  let redis: RedisClient;
  beforeAll(() => {
    redis = createRedisClient(target);
  });
  afterAll(() => redis.quit());

  it('is what it says: three masters that split the key space, or one Redis', async () => {
    const masters = await redisMasters(redis);
    if (name === 'single') {
      expect(masters).toHaveLength(1);
      return;
    }

    expect(await redisMasters(redis)).toHaveLength(3);
    const id = `test-${randomUUID()}`;
    // Tags a and b hash to slots 15495 and 3300: different masters in any 3-master split.
    const a = `${id}:{a}`;
    const b = `${id}:{b}`;
    try {
      await expect(redis.mset(a, '1', b, '2')).rejects.toThrow(/CROSSSLOT/);
    } finally {
      await redis.unlink(a);
      await redis.unlink(b);
    }
  });
});
