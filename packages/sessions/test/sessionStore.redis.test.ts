import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createRedisClient,
  createSessionStore,
  hashSessionToken,
  SessionConfigError,
  type SessionStore,
  SessionStoreUnavailableError,
  scanKeys,
  userTag,
} from '../src/index.js';
import { deleteKeysWithPrefix } from '../src/testing/index.js';
import { redisTopologies } from '../src/testing/vitest.js';

const IDLE = 60;
const ABSOLUTE = 600;
const alice = '1f0c9a2e-5b3d-6e10-8a4b-0123456789ab';
const bob = '1f0c9a2e-5b3d-6e11-8a4b-0123456789ab';

describe.each(redisTopologies())('on $name Redis', ({ target }) => {
  const redis = createRedisClient(target);
  let prefix: string;
  let clock: number;
  let store: SessionStore;

  /** The key of the session a token names (layout v3: in the user's slot, the tag is the token's start). */
  const sessionKey = (token: string) =>
    `${prefix}sess:v3:{${token.slice(0, 8)}}:s:${hashSessionToken(token)}`;
  const indexKey = (userId: string) => `${prefix}sess:v3:{${userTag(userId)}}:u:${userId}`;

  beforeEach(() => {
    prefix = `test-${randomUUID()}:`;
    clock = Date.UTC(2026, 0, 1);
    store = createSessionStore({
      redis,
      keyPrefix: prefix,
      idleTtlSeconds: IDLE,
      absoluteTtlSeconds: ABSOLUTE,
      now: () => clock,
    });
  });
  afterEach(() => deleteKeysWithPrefix(redis, prefix));
  afterAll(() => redis.quit());

  /** Every key under the test's prefix (a whole SCAN: one call may return none of them on a busy Redis). */
  async function keysUnderPrefix(): Promise<string[]> {
    const keys: string[] = [];
    for await (const batch of scanKeys(redis, `${prefix}*`)) keys.push(...batch);
    return keys;
  }

  describe('create and authenticate', () => {
    it('issues a 256-bit token, stores only its hash, and authenticates it', async () => {
      const { token, session } = await store.create(alice, { userAgent: 'test-agent', ip: '10.0.0.1' });
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(token.startsWith(userTag(alice))).toBe(true);
      expect(Buffer.from(token.slice(8), 'base64url')).toHaveLength(26);

      const keys = await keysUnderPrefix();
      expect(keys.sort()).toEqual([sessionKey(token), indexKey(alice)].sort());
      for (const key of keys) {
        expect(key).not.toContain(token);
        const dump = key.includes(':s:') ? await redis.hgetall(key) : await redis.zrange(key, '0', '-1');
        expect(JSON.stringify(dump)).not.toContain(token);
      }

      const found = await store.authenticate(token);
      expect(found).toMatchObject({ id: session.id, userId: alice, userAgent: 'test-agent', ip: '10.0.0.1' });
      expect(found?.createdAt).toEqual(new Date(clock));
    });

    it('rejects unknown, malformed and non-string tokens without error', async () => {
      await store.create(alice);
      expect(await store.authenticate('A'.repeat(43))).toBeNull();
      expect(await store.authenticate('short')).toBeNull();
      expect(await store.authenticate(`${'A'.repeat(42)}*`)).toBeNull();
      expect(await store.authenticate(undefined)).toBeNull();
      expect(await store.authenticate(123)).toBeNull();
    });

    it('parses the user id read back from Redis: a session whose id does not parse is no session', async () => {
      const strict = createSessionStore({
        redis,
        keyPrefix: prefix,
        idleTtlSeconds: IDLE,
        absoluteTtlSeconds: ABSOLUTE,
        now: () => clock,
        parseUserId: (raw) => {
          if (raw !== alice) throw new TypeError(`not a user id: ${raw}`);
          return raw;
        },
      });
      const { token } = await strict.create(alice);
      expect((await strict.authenticate(token))?.userId).toBe(alice);
      await redis.hset(sessionKey(token), 'uid', '42');
      expect(await strict.authenticate(token)).toBeNull();
    });

    it('gives every session its own token and id', async () => {
      const a = await store.create(alice);
      const b = await store.create(alice);
      expect(a.token).not.toBe(b.token);
      expect(a.session.id).not.toBe(b.session.id);
    });

    it('sets Redis TTLs: the session expires with its idle timeout, the index outlives every member', async () => {
      const { token } = await store.create(alice);
      const sessionTtl = await redis.pttl(sessionKey(token));
      const indexTtl = await redis.pttl(indexKey(alice));
      expect(sessionTtl).toBeGreaterThan(0);
      expect(sessionTtl).toBeLessThanOrEqual(IDLE * 1000);
      expect(indexTtl).toBeGreaterThan(IDLE * 1000);
      expect(indexTtl).toBeLessThanOrEqual(ABSOLUTE * 1000);
    });
  });

  describe('expiry', () => {
    it('slides the idle expiry on use', async () => {
      const { token } = await store.create(alice);
      clock += (IDLE - 10) * 1000;
      expect(await store.authenticate(token)).not.toBeNull();
      clock += (IDLE - 10) * 1000;
      const found = await store.authenticate(token);
      expect(found?.lastSeenAt).toEqual(new Date(clock));
      expect(found?.idleExpiresAt).toEqual(new Date(clock + IDLE * 1000));
    });

    it('writes last-seen and the idle expiry at most once per touch interval', async () => {
      const { token } = await store.create(alice);
      const created = clock;
      const touchMs = Math.min(60_000, (IDLE * 1000) / 20);
      clock += touchMs - 1;
      const early = await store.authenticate(token);
      expect(early?.lastSeenAt).toEqual(new Date(created));
      expect(early?.idleExpiresAt).toEqual(new Date(created + IDLE * 1000));
      clock += 1;
      const touched = await store.authenticate(token);
      expect(touched?.lastSeenAt).toEqual(new Date(clock));
      expect(touched?.idleExpiresAt).toEqual(new Date(clock + IDLE * 1000));
    });

    it('ends an idle session and removes it from the index', async () => {
      const { token } = await store.create(alice);
      clock += IDLE * 1000;
      expect(await store.authenticate(token)).toBeNull();
      expect(await keysUnderPrefix()).not.toContain(sessionKey(token));
      expect(await redis.zcard(indexKey(alice))).toBe(0);
    });

    it('ends a busy session at its absolute expiry', async () => {
      const { token, session } = await store.create(alice);
      while (clock + (IDLE - 1) * 1000 < session.absoluteExpiresAt.getTime()) {
        clock += (IDLE - 1) * 1000;
        expect(await store.authenticate(token)).not.toBeNull();
      }
      clock = session.absoluteExpiresAt.getTime();
      expect(await store.authenticate(token)).toBeNull();
    });
  });

  describe('list', () => {
    it('lists live sessions newest first and prunes expired and stale members', async () => {
      const first = await store.create(alice);
      clock += 30_000;
      const second = await store.create(alice);
      clock += 1_000;
      const third = await store.create(alice);
      await store.create(bob);

      await redis.del(sessionKey(third.token));
      expect((await store.list(alice)).map((s) => s.id)).toEqual([second.session.id, first.session.id]);
      expect(await redis.zcard(indexKey(alice))).toBe(2);

      clock += 31_000;
      expect((await store.list(alice)).map((s) => s.id)).toEqual([second.session.id]);
      expect(await redis.zcard(indexKey(alice))).toBe(1);
      expect(await store.authenticate(first.token)).toBeNull();
    });

    it('returns an empty list for a user without sessions', async () => {
      expect(await store.list(alice)).toEqual([]);
    });
  });

  describe('revoke', () => {
    it('ends one session of its owner only', async () => {
      const a1 = await store.create(alice);
      const a2 = await store.create(alice);
      const b1 = await store.create(bob);

      expect(await store.revoke(bob, a1.session.id)).toBe(false);
      expect(await store.authenticate(a1.token)).not.toBeNull();
      expect(await store.revoke(alice, 'no-such-session')).toBe(false);

      expect(await store.revoke(alice, a1.session.id)).toBe(true);
      expect(await store.authenticate(a1.token)).toBeNull();
      expect(await store.authenticate(a2.token)).not.toBeNull();
      expect(await store.authenticate(b1.token)).not.toBeNull();
      expect(await store.revoke(alice, a1.session.id)).toBe(false);
    });

    it('logs out by token; the replayed token is unknown', async () => {
      const { token } = await store.create(alice);
      expect(await store.revokeToken(token)).toBe(true);
      expect(await store.authenticate(token)).toBeNull();
      expect(await store.revokeToken(token)).toBe(false);
      expect(await store.revokeToken('nonsense')).toBe(false);
      expect(await store.list(alice)).toEqual([]);
    });

    it('ends every session of a user, or all but one, and leaves other users alone', async () => {
      const sessions = await Promise.all([1, 2, 3].map(() => store.create(alice)));
      const bobs = await store.create(bob);
      const keep = sessions[0]!;

      expect(await store.revokeAll(alice, { except: keep.session.id })).toBe(2);
      expect((await store.list(alice)).map((s) => s.id)).toEqual([keep.session.id]);

      expect(await store.revokeAll(alice)).toBe(1);
      for (const { token } of sessions) expect(await store.authenticate(token)).toBeNull();
      expect(await redis.exists(indexKey(alice))).toBe(0);
      expect(await store.authenticate(bobs.token)).not.toBeNull();
      expect(await store.revokeAll(alice)).toBe(0);
    });
  });

  describe('rotate', () => {
    it('moves a session to a new token and id, keeping its creation and absolute expiry', async () => {
      const old = await store.create(alice, { userAgent: 'ua' });
      clock += 5_000;
      const renewed = await store.rotate(old.token);
      expect(renewed).not.toBeNull();
      expect(renewed!.token).not.toBe(old.token);
      expect(renewed!.session.id).not.toBe(old.session.id);
      expect(renewed!.session.createdAt).toEqual(old.session.createdAt);
      expect(renewed!.session.absoluteExpiresAt).toEqual(old.session.absoluteExpiresAt);
      expect(renewed!.session.userAgent).toBe('ua');

      expect(await store.authenticate(old.token)).toBeNull();
      expect(await store.authenticate(renewed!.token)).toMatchObject({ userId: alice });
      expect((await store.list(alice)).map((s) => s.id)).toEqual([renewed!.session.id]);
    });

    it('refuses to rotate an unknown or expired session', async () => {
      expect(await store.rotate('A'.repeat(43))).toBeNull();
      const { token } = await store.create(alice);
      clock += IDLE * 1000;
      expect(await store.rotate(token)).toBeNull();
      expect(await store.list(alice)).toEqual([]);
    });
  });

  describe('configuration', () => {
    it('parses user ids read back from Redis', async () => {
      const parsing = createSessionStore({
        redis,
        keyPrefix: prefix,
        idleTtlSeconds: IDLE,
        absoluteTtlSeconds: ABSOLUTE,
        parseUserId: (raw) => `parsed:${raw}`,
      });
      const { token } = await parsing.create(`parsed:${alice}`);
      expect((await parsing.authenticate(token))?.userId).toBe(`parsed:parsed:${alice}`);
    });
  });
});

describe('configuration and failures', () => {
  it('rejects impossible TTLs', () => {
    const redis = new Redis({ lazyConnect: true });
    expect(() => createSessionStore({ redis, idleTtlSeconds: 0, absoluteTtlSeconds: 10 })).toThrow(
      SessionConfigError,
    );
    expect(() => createSessionStore({ redis, idleTtlSeconds: 100, absoluteTtlSeconds: 10 })).toThrow(
      /absoluteTtlSeconds/,
    );
  });

  it.each([
    ['a single Redis', { url: 'redis://127.0.0.1:1' }],
    ['a Redis Cluster', { url: 'redis://127.0.0.1:1', clusterNodes: ['127.0.0.1:1', '127.0.0.1:2'] }],
  ])('fails with SessionStoreUnavailableError, fast, when %s is unreachable', async (_, where) => {
    const down = createRedisClient(where, {
      enableOfflineQueue: false,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    down.on('error', () => {});
    const offline = createSessionStore({ redis: down, idleTtlSeconds: IDLE, absoluteTtlSeconds: ABSOLUTE });
    const token = `${userTag(alice)}${'A'.repeat(35)}`;
    await expect(offline.authenticate(token)).rejects.toBeInstanceOf(SessionStoreUnavailableError);
    await expect(offline.create(alice)).rejects.toThrow(/Session store unavailable during create/);
    await expect(offline.revokeAll(alice)).rejects.toBeInstanceOf(SessionStoreUnavailableError);
    await expect(offline.list(alice)).rejects.toBeInstanceOf(SessionStoreUnavailableError);
    down.disconnect();
  });
});
