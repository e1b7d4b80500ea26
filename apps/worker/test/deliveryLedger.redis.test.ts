import { randomUUID } from 'node:crypto';
import { createRedisClient, type RedisClient } from '@org/sessions';
import { deleteKeysWithPrefix } from '@org/sessions/testing';
import { redisTopologies } from '@org/sessions/testing/vitest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDeliveryLedger, type DeliveryLedger } from '../src/mail/deliveryLedger.js';

// On one Redis and on the run's 3-master Redis Cluster; there the prefix has a tag, as a queue prefix must.
describe.each(redisTopologies())('delivery ledger on $name Redis', ({ name, target }) => {
  let redis: RedisClient;
  let prefix: string;
  let ledger: DeliveryLedger;

  beforeEach(() => {
    redis = createRedisClient(target);
    prefix = name === 'cluster' ? `{test-${randomUUID()}}:jobs:` : `test-${randomUUID()}:jobs:`;
    ledger = createDeliveryLedger({ redis, keyPrefix: prefix, ttlSeconds: 60 });
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    redis.disconnect();
  });

  it('lets exactly one of many concurrent attempts claim a token', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) => ledger.claim('t1', `a${index}`)),
    );
    expect(results.filter((result) => result.state === 'claimed')).toHaveLength(1);
    expect(results.filter((result) => result.state === 'sending')).toHaveLength(19);
  });

  it('reports sent to every later attempt, with a bounded lifetime', async () => {
    await ledger.claim('t1', 'a1');
    await ledger.markSent('t1', 'a1');
    expect(await ledger.claim('t1', 'a2')).toEqual({ state: 'sent', by: 'a1' });
    const ttl = await redis.ttl(`${prefix}email-delivery:t1`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it('takes over a stale claim only if it is still the one seen', async () => {
    await ledger.claim('t1', 'dead');
    const seen = await ledger.claim('t1', 'a2');
    expect(seen).toEqual({ state: 'sending', by: 'dead', value: 'sending:dead' });
    expect(await ledger.takeOver('t1', 'sending:dead', 'a2')).toBe(true);
    expect(await ledger.takeOver('t1', 'sending:dead', 'a3')).toBe(false);
    expect(await ledger.read('t1')).toBe('sending:a2');
  });

  it('releases only its own claim', async () => {
    await ledger.claim('t1', 'a1');
    await ledger.release('t1', 'someone-else');
    expect(await ledger.read('t1')).toBe('sending:a1');
    await ledger.release('t1', 'a1');
    expect(await ledger.read('t1')).toBeNull();
    expect(await ledger.claim('t1', 'a2')).toEqual({ state: 'claimed' });
  });
});
