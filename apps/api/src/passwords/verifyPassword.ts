import { pbkdf2, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { deriveScrypt, SCRYPT_KEY_BYTES } from './hashPassword.js';
import { DEFAULT_SCRYPT_PARAMS, type ScryptParams } from './scryptParams.js';

const pbkdf2Async = promisify(pbkdf2);

export interface PasswordCheck {
  ok: boolean;
  /** The hash is legacy or weaker than the current params: store a new hash after a successful login. */
  needsRehash: boolean;
}

const SCRYPT_PATTERN =
  /^scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9_-]{16,64})\$([A-Za-z0-9_-]{43})$/;
// Django's PBKDF2PasswordHasher: pbkdf2_sha256$<iterations>$<salt>$<base64 of the 32-byte SHA-256 key>.
const DJANGO_PBKDF2_PATTERN = /^pbkdf2_sha256\$(\d{1,7})\$([^$]{1,128})\$([A-Za-z0-9+/]{43}=)$/;
const FAILED: PasswordCheck = { ok: false, needsRehash: false };

function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** True when a stored value can verify some password (Django marks unusable passwords with a leading `!`). */
export function isUsablePasswordHash(encoded: string): boolean {
  return SCRYPT_PATTERN.test(encoded) || DJANGO_PBKDF2_PATTERN.test(encoded);
}

/**
 * Verifies a password against a stored hash in constant time: current scrypt hashes and legacy Django
 * `pbkdf2_sha256` hashes. Anything else (unusable `!…` markers, unknown formats) never verifies.
 *
 * @example
 * const { ok, needsRehash } = await verifyPassword(user.password, input);
 * if (ok && needsRehash) user.password = await hashPassword(input);
 */
export async function verifyPassword(
  encoded: string,
  password: string,
  current: ScryptParams = DEFAULT_SCRYPT_PARAMS,
): Promise<PasswordCheck> {
  const scryptMatch = SCRYPT_PATTERN.exec(encoded);
  if (scryptMatch !== null) {
    const [, logN, r, p, salt, key] = scryptMatch as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const params: ScryptParams = { logN: Number(logN), r: Number(r), p: Number(p) };
    if (params.logN < 1 || params.logN > 20 || params.r < 1 || params.p < 1) return FAILED;
    const expected = Buffer.from(key, 'base64url');
    if (expected.length !== SCRYPT_KEY_BYTES) return FAILED;
    const actual = await deriveScrypt(password, Buffer.from(salt, 'base64url'), params);
    const ok = constantTimeEqual(actual, expected);
    const weaker = params.logN < current.logN || params.r < current.r || params.p < current.p;
    return { ok, needsRehash: ok && weaker };
  }
  const djangoMatch = DJANGO_PBKDF2_PATTERN.exec(encoded);
  if (djangoMatch !== null) {
    const [, iterations, salt, hash] = djangoMatch as unknown as [string, string, string, string];
    const rounds = Number(iterations);
    if (rounds < 1) return FAILED;
    const expected = Buffer.from(hash, 'base64');
    const actual = await pbkdf2Async(password, salt, rounds, expected.length, 'sha256');
    const ok = constantTimeEqual(actual, expected);
    return { ok, needsRehash: ok };
  }
  return FAILED;
}

/**
 * Burns about the time of one verification when there is no user, so response times do not tell
 * which emails have accounts.
 */
export async function verifyAgainstNothing(password: string, current: ScryptParams = DEFAULT_SCRYPT_PARAMS) {
  await deriveScrypt(password, Buffer.alloc(16), current);
}
