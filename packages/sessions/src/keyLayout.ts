import { createHash } from 'node:crypto';

/**
 * Version of the Redis key layout; bump it (and the prefix follows) whenever a stored shape changes.
 * v3 (issue 14): a user's index and that user's sessions share the user's hash tag, so every session script
 * touches keys of one slot and runs on Redis Cluster; session tokens carry the tag (see `sessionToken.ts`).
 */
export const KEY_LAYOUT_VERSION = 3;

/**
 * Namespace of every key the api and the worker write. The legacy system used bare `session:*` and
 * `user_tokens:*` keys; nothing under this prefix can collide with them, so the new code never reads a
 * legacy key even while the cutover step is still removing them.
 */
export const KEY_NAMESPACE = `sess:v${KEY_LAYOUT_VERSION}:`;

/** Glob patterns of the legacy layout (see apps/api/README.md), removed by the cutover step. */
export const LEGACY_KEY_PATTERNS = ['session:*', 'user_tokens:*'] as const;

/** Length of a user's hash tag: 8 base64url characters, the first 48 bits of SHA-256(user id). */
export const USER_TAG_LENGTH = 8;

export interface KeyLayout {
  /** `<keyPrefix>sess:v3:`: every key below starts with it. */
  readonly root: string;
  /** Hash holding one session: `<root>{<userTag>}:s:<SHA-256 hex of its token>`, in its user's slot. */
  session(userTag: string, tokenHash: string): string;
  /** Sorted set of a user's token hashes, scored by each session's expiry: `<root>{<userTag>}:u:<userId>`. */
  userIndex(userId: string): string;
  /** Fixed-window counter of one rate-limit bucket for one subject (ip, email, user); one key, any slot. */
  rateLimit(bucket: string, subject: string): string;
}

/**
 * The hash tag of a user's keys: the first 48 bits of SHA-256 of the user id, base64url (8 characters,
 * never `{` or `}`). Deterministic, so the api, the worker and every process agree on a user's slot.
 *
 * @example
 * userTag('1f0c9a2e-5b3d-6e10-8a4b-0123456789ab'); // 8 characters of [A-Za-z0-9_-]
 */
export function userTag(userId: string): string {
  return createHash('sha256').update(userId).digest('base64url').slice(0, USER_TAG_LENGTH);
}

/**
 * The one place that spells Redis keys. `keyPrefix` isolates tests (and tenants) sharing one Redis; it comes
 * before the hash tag, so it must not contain `{`: a prefix with a tag of its own would put every key in one
 * slot (correct, but one node holds everything).
 *
 * @example
 * const keys = createKeyLayout('test-1f3a:');
 * keys.userIndex(userId);                 // 'test-1f3a:sess:v3:{<userTag(userId)>}:u:<userId>'
 * keys.session(userTag(userId), 'ab12…'); // 'test-1f3a:sess:v3:{<userTag(userId)>}:s:ab12…'
 */
export function createKeyLayout(keyPrefix = ''): KeyLayout {
  const root = `${keyPrefix}${KEY_NAMESPACE}`;
  return {
    root,
    session: (tag, tokenHash) => `${root}{${tag}}:s:${tokenHash}`,
    userIndex: (userId) => `${root}{${userTag(userId)}}:u:${userId}`,
    rateLimit: (bucket, subject) => `${root}rl:${bucket}:${subject}`,
  };
}

/** Escapes glob metacharacters so a key prefix is matched literally by SCAN MATCH. */
export function escapeGlob(value: string): string {
  return value.replace(/[*?[\]\\]/g, '\\$&');
}
