import { z } from 'zod';
import type { RedisClient } from './createRedisClient.js';
import { SessionConfigError, SessionStoreUnavailableError } from './errors.js';
import { createKeyLayout, type KeyLayout, userTag } from './keyLayout.js';
import {
  authenticateScript,
  createScript,
  listScript,
  revokeScript,
  revokeTokenScript,
  rotateScript,
  SESSION_FIELDS,
} from './sessionScripts.js';
import {
  digestsEqual,
  hashSessionToken,
  isSessionTokenShape,
  newSessionId,
  newSessionToken,
  tokenTag,
} from './sessionToken.js';

export interface SessionMeta {
  userAgent?: string | undefined;
  ip?: string | undefined;
}

/** A live session as the store reports it; `id` is public, the token never leaves `create`/`rotate`. */
export interface Session<TUserId extends string = string> {
  id: string;
  userId: TUserId;
  createdAt: Date;
  lastSeenAt: Date;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
  userAgent: string | null;
  ip: string | null;
}

export interface IssuedSession<TUserId extends string = string> {
  /** The secret for the cookie: returned once, stored only as its SHA-256. */
  token: string;
  session: Session<TUserId>;
}

export interface SessionStoreOptions<TUserId extends string> {
  /** One Redis or a Redis Cluster (`createRedisClient`). */
  redis: RedisClient;
  /** Prepended to every key (per-test isolation); the versioned namespace follows it. */
  keyPrefix?: string;
  /** A session unused this long ends. */
  idleTtlSeconds: number;
  /** A session ends this long after it was created, however busy. */
  absoluteTtlSeconds: number;
  /**
   * Parses the user id read back from Redis (e.g. `UserIds.parseId`); identity by default. A session whose id
   * it rejects (throws) is treated as no session.
   */
  parseUserId?: (raw: string) => TUserId;
  /** Milliseconds since the epoch; tests move time with it. */
  now?: () => number;
}

export interface SessionStore<TUserId extends string = string> {
  readonly keys: KeyLayout;
  create(userId: TUserId, meta?: SessionMeta): Promise<IssuedSession<TUserId>>;
  /** The session a cookie token names, with its idle expiry slid forward; null when unknown or expired. */
  authenticate(token: unknown): Promise<Session<TUserId> | null>;
  /** Live sessions of a user, newest first; expired and stale index members are pruned on the way. */
  list(userId: TUserId): Promise<Session<TUserId>[]>;
  /** Ends one session of this user by its public id; false when the user has no such session. */
  revoke(userId: TUserId, sessionId: string): Promise<boolean>;
  /** Ends the session a token names (logout); false when there was none. */
  revokeToken(token: unknown): Promise<boolean>;
  /** Ends every session of a user, or every one but `except` (a session id); returns how many ended. */
  revokeAll(userId: TUserId, options?: { except?: string | undefined }): Promise<number>;
  /** Renews a live session's token and id (privilege change), keeping its creation and absolute expiry. */
  rotate(token: unknown): Promise<IssuedSession<TUserId> | null>;
}

const StoredSession = z.tuple([
  z.string(),
  z.string().min(1),
  z.string().min(1),
  z.coerce.number().int(),
  z.coerce.number().int(),
  z.coerce.number().int(),
  z.coerce.number().int(),
  z.string(),
  z.string(),
]);

/**
 * The Redis session store shared by the api (login, logout, lists) and the worker (`revokeAll`).
 *
 * @example
 * const store = createSessionStore({ redis, idleTtlSeconds: 1800, absoluteTtlSeconds: 604800 });
 * const { token } = await store.create(user.id, { userAgent, ip });
 * const session = await store.authenticate(token); // { id, userId, createdAt, ... }
 * await store.revokeAll(user.id);
 */
export function createSessionStore<TUserId extends string = string>(
  options: SessionStoreOptions<TUserId>,
): SessionStore<TUserId> {
  const { redis, idleTtlSeconds, absoluteTtlSeconds } = options;
  if (!Number.isInteger(idleTtlSeconds) || idleTtlSeconds <= 0) {
    throw new SessionConfigError(`idleTtlSeconds must be a positive integer, got ${idleTtlSeconds}`);
  }
  if (!Number.isInteger(absoluteTtlSeconds) || absoluteTtlSeconds < idleTtlSeconds) {
    throw new SessionConfigError(
      `absoluteTtlSeconds must be an integer >= idleTtlSeconds (${idleTtlSeconds}), got ${absoluteTtlSeconds}`,
    );
  }
  const keys = createKeyLayout(options.keyPrefix);
  const parseUserId = options.parseUserId ?? ((raw: string) => raw as TUserId);
  const now = options.now ?? Date.now;
  const idleMs = idleTtlSeconds * 1000;
  // Last-seen and the idle expiry move in steps of at most this much (a minute, or 1/20 of a short idle TTL).
  const touchMs = Math.min(60_000, Math.floor(idleMs / 20));
  const absoluteMs = absoluteTtlSeconds * 1000;

  function toSession(reply: unknown, tokenHash?: string): Session<TUserId> | null {
    const parsed = StoredSession.safeParse(reply);
    if (!parsed.success) return null;
    const [storedHash, uid, sid, created, lastSeen, idleExpiry, absoluteExpiry, ua, ip] = parsed.data;
    if (tokenHash !== undefined && !digestsEqual(storedHash, tokenHash)) return null;
    let userId: TUserId;
    try {
      userId = parseUserId(uid);
    } catch {
      // A user id that does not parse makes the stored session malformed: not a session, like any other.
      return null;
    }
    return {
      id: sid,
      userId,
      createdAt: new Date(created),
      lastSeenAt: new Date(lastSeen),
      idleExpiresAt: new Date(idleExpiry),
      absoluteExpiresAt: new Date(absoluteExpiry),
      userAgent: ua === '' ? null : ua,
      ip: ip === '' ? null : ip,
    };
  }

  async function call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw new SessionStoreUnavailableError(operation, { cause: error });
    }
  }

  return {
    keys,

    async create(userId, meta = {}) {
      const tag = userTag(userId);
      const token = newSessionToken(tag);
      const tokenHash = hashSessionToken(token);
      const sid = newSessionId();
      const created = now();
      const absoluteExpiry = created + absoluteMs;
      const idleExpiry = Math.min(created + idleMs, absoluteExpiry);
      const ua = (meta.userAgent ?? '').slice(0, 512);
      const ip = meta.ip ?? '';
      await call('create', () =>
        createScript.run(
          redis,
          [keys.session(tag, tokenHash), keys.userIndex(userId)],
          [tokenHash, userId, sid, created, created, idleExpiry, absoluteExpiry, ua, ip],
        ),
      );
      return {
        token,
        session: {
          id: sid,
          userId,
          createdAt: new Date(created),
          lastSeenAt: new Date(created),
          idleExpiresAt: new Date(idleExpiry),
          absoluteExpiresAt: new Date(absoluteExpiry),
          userAgent: ua === '' ? null : ua,
          ip: ip === '' ? null : ip,
        },
      };
    },

    async authenticate(token) {
      if (!isSessionTokenShape(token)) return null;
      const tokenHash = hashSessionToken(token);
      const key = keys.session(tokenTag(token), tokenHash);
      const at = now();
      // A session seen within the touch interval needs no write: one HMGET, no script.
      const read = await call('authenticate', () => redis.hmget(key, ...SESSION_FIELDS));
      const seen = toSession(read, tokenHash);
      if (
        seen !== null &&
        at - seen.lastSeenAt.getTime() < touchMs &&
        at < seen.idleExpiresAt.getTime() &&
        at < seen.absoluteExpiresAt.getTime()
      ) {
        return seen;
      }
      const owner = await ownerOf(token, key, read[0] ?? null, read[1] ?? null, 'authenticate');
      if (owner === null) return null;
      // Anything else (slide, expire, a malformed hash) is decided atomically by the script.
      const reply = await call('authenticate', () =>
        authenticateScript.run(redis, [key, keys.userIndex(owner)], [at, idleMs, touchMs, owner]),
      );
      return reply === null ? null : toSession(reply, tokenHash);
    },

    async list(userId) {
      const index = keys.userIndex(userId);
      const tag = userTag(userId);
      const members = await call('list', () => redis.zrange(index, '0', '-1'));
      if (members.length === 0) return [];
      const reply = await call('list', () =>
        listScript.run(
          redis,
          [index, ...members.map((member) => keys.session(tag, member))],
          [now(), ...members],
        ),
      );
      const sessions = (Array.isArray(reply) ? reply : [])
        .map((row) => toSession(row))
        .filter((session): session is Session<TUserId> => session !== null);
      return sessions.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    },

    async revoke(userId, sessionId) {
      return (await revokeMembers('revoke', userId, sessionId, 'one')) === 1;
    },

    async revokeToken(token) {
      if (!isSessionTokenShape(token)) return false;
      const key = keys.session(tokenTag(token), hashSessionToken(token));
      const [th, uid] = await call('revokeToken', () => redis.hmget(key, 'th', 'uid'));
      const owner = await ownerOf(token, key, th ?? null, uid ?? null, 'revokeToken');
      if (owner === null) return th !== null && th !== undefined;
      const ended = await call('revokeToken', () =>
        revokeTokenScript.run(redis, [key, keys.userIndex(owner)], [owner]),
      );
      return ended === 1;
    },

    async revokeAll(userId, revokeOptions = {}) {
      return revokeMembers('revokeAll', userId, revokeOptions.except ?? '', 'others');
    },

    async rotate(token) {
      if (!isSessionTokenShape(token)) return null;
      const tag = tokenTag(token);
      const key = keys.session(tag, hashSessionToken(token));
      const [th, uid] = await call('rotate', () => redis.hmget(key, 'th', 'uid'));
      const owner = await ownerOf(token, key, th ?? null, uid ?? null, 'rotate');
      if (owner === null) return null;
      const newToken = newSessionToken(tag);
      const newHash = hashSessionToken(newToken);
      const reply = await call('rotate', () =>
        rotateScript.run(
          redis,
          [key, keys.session(tag, newHash), keys.userIndex(owner)],
          [now(), idleMs, owner, newHash, newSessionId()],
        ),
      );
      const session = reply === null ? null : toSession(reply, newHash);
      return session === null ? null : { token: newToken, session };
    },
  };

  /**
   * The user id a session hash names, when it is the user the token's tag routes to; null when there is no
   * hash. A hash without a user id, or with one of another tag (written by hand: the store never does),
   * cannot be reached through its user's index: it is removed here, alone, and is no session.
   */
  async function ownerOf(
    token: string,
    key: string,
    th: string | null,
    uid: string | null,
    operation: string,
  ): Promise<string | null> {
    if (th === null) return null;
    if (uid !== null && uid !== '' && userTag(uid) === tokenTag(token)) return uid;
    await call(operation, () => redis.unlink(key));
    return null;
  }

  /**
   * Runs the revoke script over the index's members, read just before; again while the script reports
   * members added since (a login racing a "sign out everywhere"), at most a few times.
   */
  async function revokeMembers(
    operation: string,
    userId: TUserId,
    sessionId: string,
    mode: 'one' | 'others',
  ): Promise<number> {
    const index = keys.userIndex(userId);
    const tag = userTag(userId);
    let ended = 0;
    for (let round = 0; round < 5; round += 1) {
      const members = await call(operation, () => redis.zrange(index, '0', '-1'));
      if (members.length === 0) break;
      const reply = await call(operation, () =>
        revokeScript.run(
          redis,
          [index, ...members.map((member) => keys.session(tag, member))],
          [sessionId, mode, ...members],
        ),
      );
      const [endedNow, unseen] = (reply as [number, number]).map(Number) as [number, number];
      ended += endedNow;
      if (unseen === 0 || (mode === 'one' && ended > 0)) break;
    }
    return ended;
  }
}
