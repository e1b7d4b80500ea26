import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { USER_TAG_LENGTH } from './keyLayout.js';

/**
 * 208 bits from the CSPRNG (35 base64url characters): well above the 128 bits OWASP asks of a session id.
 * With the 8-character user tag in front, a token keeps the 43 characters of layout v2.
 */
const SECRET_BYTES = 26;
const TOKEN_PATTERN = new RegExp(`^[A-Za-z0-9_-]{${USER_TAG_LENGTH + 35}}$`);
const SESSION_ID_BYTES = 16;

/**
 * A new session token for a user whose hash tag is `tag` (base64url, 43 characters): the tag, so the store
 * finds the session in its user's Redis Cluster slot from the token alone, then 208 random bits. Only the
 * token's hash ever reaches Redis. The tag is a truncated hash of the user id, not a secret: it tells the
 * holder of the token nothing they could not learn by signing in.
 */
export function newSessionToken(tag: string): string {
  return `${tag}${randomBytes(SECRET_BYTES).toString('base64url')}`;
}

/** The user hash tag a token carries (its first 8 characters); the token must have the right shape. */
export function tokenTag(token: string): string {
  return token.slice(0, USER_TAG_LENGTH);
}

/** A new public session id (base64url, 22 characters): names a session in lists, never authenticates. */
export function newSessionId(): string {
  return randomBytes(SESSION_ID_BYTES).toString('base64url');
}

/** True when `value` has the shape of a token this store issues; anything else is rejected unread. */
export function isSessionTokenShape(value: unknown): value is string {
  return typeof value === 'string' && TOKEN_PATTERN.test(value);
}

/** SHA-256 (hex) of a token: the only form in which a token is stored. */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Constant-time equality of two hex digests of equal length. */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}
