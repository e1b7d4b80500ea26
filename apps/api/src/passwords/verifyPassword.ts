import { timingSafeEqual } from 'node:crypto';
import { scryptKey } from './hashPassword.js';
import { type Kdf, nodeKdf } from './kdf.js';
import { DEFAULT_SCRYPT_PARAMS, type ScryptParams } from './scryptParams.js';
import { parseStoredHash } from './storedHash.js';

export interface PasswordCheck {
  ok: boolean;
  /** The hash is legacy or weaker than the current params: store a new hash after a successful login. */
  needsRehash: boolean;
}

const FAILED: PasswordCheck = { ok: false, needsRehash: false };

export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** True when a stored value can verify some password (Django marks unusable passwords with a leading `!`). */
export function isUsablePasswordHash(encoded: string): boolean {
  return parseStoredHash(encoded).kind !== 'unusable';
}

/**
 * Verifies a password against a stored hash in constant time: current scrypt hashes and legacy Django
 * `pbkdf2_sha256` hashes. Anything else (unusable `!…` markers, unknown formats) never verifies. Its cost
 * depends on the hash, so it suits checking the signed-in user's own password; a login uses `verifyLogin`.
 *
 * @example
 * const { ok, needsRehash } = await verifyPassword(user.password, input);
 * if (ok && needsRehash) user.password = await hashPassword(input);
 */
export async function verifyPassword(
  encoded: string,
  password: string,
  current: ScryptParams = DEFAULT_SCRYPT_PARAMS,
  kdf: Kdf = nodeKdf,
): Promise<PasswordCheck> {
  const hash = parseStoredHash(encoded);
  if (hash.kind === 'scrypt') {
    const ok = constantTimeEqual(await scryptKey(kdf, password, hash.salt, hash.params), hash.key);
    const weaker = hash.params.logN < current.logN || hash.params.r < current.r || hash.params.p < current.p;
    return { ok, needsRehash: ok && weaker };
  }
  if (hash.kind === 'pbkdf2') {
    const actual = await kdf.pbkdf2Sha256(password, hash.salt, hash.iterations, hash.key.length);
    const ok = constantTimeEqual(actual, hash.key);
    return { ok, needsRehash: ok };
  }
  return FAILED;
}
