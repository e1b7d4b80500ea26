import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRedisClient, createSessionStore, redisMasters, removeLegacyKeys } from '../src/index.js';
import { deleteKeysWithPrefix, seedLegacyKeys } from '../src/testing/index.js';
import { redisTopologies } from '../src/testing/vitest.js';

const userIds = Array.from({ length: 400 }, (_, i) => i + 1);

describe.each(redisTopologies())('removeLegacyKeys on $name Redis', ({ name, target }) => {
  const redis = createRedisClient(target);
  let prefix: string;

  beforeEach(() => {
    prefix = `test-${randomUUID()}:`;
  });
  afterEach(() => deleteKeysWithPrefix(redis, prefix));
  afterAll(() => redis.quit());

  async function seedSurvivors(): Promise<string[]> {
    const survivors = [
      'sessions:1',
      'session',
      'user_tokens',
      'xsession:1',
      'other:session:1',
      'user_token:5',
    ].map((key) => `${prefix}${key}`);
    for (const key of survivors) await redis.set(key, 'keep');
    return survivors;
  }

  /** How many of `keys` exist (one EXISTS per key: on a cluster they lie in many slots). */
  async function existing(keys: readonly string[]): Promise<number> {
    const found = await Promise.all(keys.map((key) => redis.exists(key)));
    return found.reduce((sum, one) => sum + one, 0);
  }

  it('removes every legacy session and token key in batches and reports the count', async () => {
    const { sessionKeys, tokenKeys } = await seedLegacyKeys(redis, { userIds, keyPrefix: prefix });
    const survivors = await seedSurvivors();
    const store = createSessionStore({
      redis,
      keyPrefix: prefix,
      idleTtlSeconds: 60,
      absoluteTtlSeconds: 600,
    });
    const { token } = await store.create('1f0c9a2e-5b3d-6e10-8a4b-0123456789ab');

    const progress: number[] = [];
    const report = await removeLegacyKeys({
      redis,
      keyPrefix: prefix,
      batchSize: 50,
      onProgress: ({ removed }) => progress.push(removed),
    });

    expect(report).toMatchObject({
      dryRun: false,
      removed: sessionKeys.length + tokenKeys.length,
      byPattern: { 'session:*': sessionKeys.length, 'user_tokens:*': tokenKeys.length },
    });
    expect(progress.length).toBeGreaterThan(2);
    expect(await existing([...sessionKeys, ...tokenKeys])).toBe(0);
    expect(await existing(survivors)).toBe(survivors.length);
    expect(await store.authenticate(token)).not.toBeNull();

    const masters = (await redisMasters(redis)).map((master) => master.node);
    expect(Object.keys(report.byNode).sort()).toEqual(masters);
    expect(masters).toHaveLength(name === 'cluster' ? 3 : 1);
    for (const node of masters) {
      // 1,200 keys over 16,384 slots: every master holds some of them.
      expect(report.byNode[node]!.removed).toBeGreaterThan(0);
      expect(report.byNode[node]!.byPattern['session:*']).toBeGreaterThan(0);
    }
    const sum = Object.values(report.byNode).reduce((total, node) => total + node.removed, 0);
    expect(sum).toBe(report.removed);
  });

  it('resumes after an interruption: a run stopped midway leaves the rest to the next run', async () => {
    const { sessionKeys, tokenKeys } = await seedLegacyKeys(redis, { userIds, keyPrefix: prefix });
    const total = sessionKeys.length + tokenKeys.length;
    const stop = new Error('interrupted');
    let batches = 0;
    const interrupted = removeLegacyKeys({
      redis,
      keyPrefix: prefix,
      batchSize: 50,
      onProgress: () => {
        batches += 1;
        if (batches === 3) throw stop;
      },
    });
    await expect(interrupted).rejects.toBe(stop);
    const left = await existing([...sessionKeys, ...tokenKeys]);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(total);
    const rest = await removeLegacyKeys({ redis, keyPrefix: prefix });
    expect(rest.removed).toBe(left);
    expect(await existing([...sessionKeys, ...tokenKeys])).toBe(0);
  });

  it('counts without removing in a dry run', async () => {
    const { sessionKeys, tokenKeys } = await seedLegacyKeys(redis, { userIds: [7, 8, 9], keyPrefix: prefix });
    const report = await removeLegacyKeys({ redis, keyPrefix: prefix, dryRun: true, batchSize: 2 });
    expect(report).toMatchObject({
      dryRun: true,
      removed: 9,
      byPattern: { 'session:*': 6, 'user_tokens:*': 3 },
    });
    expect(await existing([...sessionKeys, ...tokenKeys])).toBe(9);
  });

  it('is safe to run again: the second run removes nothing', async () => {
    await seedLegacyKeys(redis, { userIds: [1, 2], keyPrefix: prefix });
    expect((await removeLegacyKeys({ redis, keyPrefix: prefix })).removed).toBe(6);
    expect((await removeLegacyKeys({ redis, keyPrefix: prefix })).removed).toBe(0);
  });

  it('matches a prefix literally, never as a glob', async () => {
    const globby = `test-${randomUUID()}-[a]*:`;
    const decoy = `${globby.replace('[a]*', 'a-x')}session:1`;
    await redis.set(decoy, 'keep');
    await redis.set(`${globby}session:1`, 'legacy');
    try {
      expect((await removeLegacyKeys({ redis, keyPrefix: globby })).removed).toBe(1);
      expect(await redis.exists(decoy)).toBe(1);
    } finally {
      await redis.unlink(decoy);
      await redis.unlink(`${globby}session:1`);
    }
  });
});
