import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSessionStore, removeLegacyKeys } from '../src/index.js';
import { deleteKeysWithPrefix, seedLegacyKeys } from '../src/testing/index.js';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
let prefix: string;

beforeEach(() => {
  prefix = `test-${randomUUID()}:`;
});
afterEach(() => deleteKeysWithPrefix(redis, prefix));
afterAll(() => redis.quit());

const userIds = Array.from({ length: 400 }, (_, i) => i + 1);

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

describe('removeLegacyKeys', () => {
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
    expect(await redis.exists(...sessionKeys, ...tokenKeys)).toBe(0);
    expect(await redis.exists(...survivors)).toBe(survivors.length);
    expect(await store.authenticate(token)).not.toBeNull();
  });

  it('counts without removing in a dry run', async () => {
    const { sessionKeys, tokenKeys } = await seedLegacyKeys(redis, { userIds: [7, 8, 9], keyPrefix: prefix });
    const report = await removeLegacyKeys({ redis, keyPrefix: prefix, dryRun: true, batchSize: 2 });
    expect(report).toMatchObject({
      dryRun: true,
      removed: 9,
      byPattern: { 'session:*': 6, 'user_tokens:*': 3 },
    });
    expect(await redis.exists(...sessionKeys, ...tokenKeys)).toBe(9);
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
      await redis.unlink(decoy, `${globby}session:1`);
    }
  });
});
