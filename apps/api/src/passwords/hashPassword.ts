import { randomBytes, scrypt } from 'node:crypto';
import { promisify } from 'node:util';
import { DEFAULT_SCRYPT_PARAMS, type ScryptParams, scryptMaxmem } from './scryptParams.js';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

export const SCRYPT_KEY_BYTES = 32;
const SALT_BYTES = 16;

/** Derives the scrypt key; shared by hashing and verification so both use one code path. */
export function deriveScrypt(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  return scryptAsync(password.normalize('NFKC'), salt, SCRYPT_KEY_BYTES, {
    N: 2 ** params.logN,
    r: params.r,
    p: params.p,
    maxmem: scryptMaxmem(params),
  });
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
): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await deriveScrypt(password, salt, params);
  return `scrypt$ln=${params.logN},r=${params.r},p=${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}
