import { randomBytes } from 'node:crypto';
import { type Kdf, nodeKdf } from './kdf.js';
import { DEFAULT_SCRYPT_PARAMS, type ScryptParams } from './scryptParams.js';
import { encodeScryptHash, SCRYPT_KEY_BYTES } from './storedHash.js';

const SALT_BYTES = 16;

/** The scrypt key of a password (NFKC-normalised first); shared by hashing and verification. */
export function scryptKey(kdf: Kdf, password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  return kdf.scrypt(password.normalize('NFKC'), salt, SCRYPT_KEY_BYTES, params);
}

/** A fresh 128-bit salt. */
export function newSalt(): Buffer {
  return randomBytes(SALT_BYTES);
}

/**
 * Hashes a password with scrypt and a fresh 128-bit salt, encoded with its parameters:
 * `scrypt$ln=14,r=8,p=5$<salt base64url>$<key base64url>` (about 90 characters; the column holds 128).
 *
 * @example
 * const encoded = await hashPassword('correct horse battery staple');
 */
export async function hashPassword(
  password: string,
  params: ScryptParams = DEFAULT_SCRYPT_PARAMS,
  kdf: Kdf = nodeKdf,
): Promise<string> {
  const salt = newSalt();
  return encodeScryptHash(params, salt, await scryptKey(kdf, password, salt, params));
}
