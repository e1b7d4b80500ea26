/** Version of the Redis key layout; bump it (and the prefix follows) whenever a stored shape changes. */
export const KEY_LAYOUT_VERSION = 2;

/**
 * Namespace of every key the api and the worker write. The legacy system used bare `session:*` and
 * `user_tokens:*` keys; nothing under this prefix can collide with them, so the new code never reads a
 * legacy key even while the cutover step is still removing them.
 */
export const KEY_NAMESPACE = `sess:v${KEY_LAYOUT_VERSION}:`;

/** Glob patterns of the legacy layout (see apps/api/README.md), removed by the cutover step. */
export const LEGACY_KEY_PATTERNS = ['session:*', 'user_tokens:*'] as const;

export interface KeyLayout {
  /** `<keyPrefix>sess:v2:`: every key below starts with it. */
  readonly root: string;
  /** Hash holding one session, addressed by the SHA-256 (hex) of its token. */
  session(tokenHash: string): string;
  /** Prefix of the per-user index; the Lua scripts append the user id themselves. */
  readonly userIndexPrefix: string;
  /** Sorted set of a user's token hashes, scored by the expiry of each session. */
  userIndex(userId: string): string;
  /** Fixed-window counter of one rate-limit bucket for one subject (ip, email, user). */
  rateLimit(bucket: string, subject: string): string;
}

/**
 * The one place that spells Redis keys. `keyPrefix` isolates tests (and tenants) sharing one Redis.
 *
 * @example
 * const keys = createKeyLayout('test-1f3a:');
 * keys.session('ab12…'); // 'test-1f3a:sess:v2:s:ab12…'
 */
export function createKeyLayout(keyPrefix = ''): KeyLayout {
  const root = `${keyPrefix}${KEY_NAMESPACE}`;
  const userIndexPrefix = `${root}u:`;
  return {
    root,
    userIndexPrefix,
    session: (tokenHash) => `${root}s:${tokenHash}`,
    userIndex: (userId) => `${userIndexPrefix}${userId}`,
    rateLimit: (bucket, subject) => `${root}rl:${bucket}:${subject}`,
  };
}

/** Escapes glob metacharacters so a key prefix is matched literally by SCAN MATCH. */
export function escapeGlob(value: string): string {
  return value.replace(/[*?[\]\\]/g, '\\$&');
}
