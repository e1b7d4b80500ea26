import type { ScryptParams } from './scryptParams.js';

export const SCRYPT_KEY_BYTES = 32;

/** A stored password hash, parsed: the api's scrypt format, the old system's PBKDF2, or nothing usable. */
export type StoredHash =
  | { kind: 'scrypt'; params: ScryptParams; salt: Buffer; key: Buffer }
  | { kind: 'pbkdf2'; iterations: number; salt: string; key: Buffer }
  | { kind: 'unusable' };

const SCRYPT_PATTERN =
  /^scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9_-]{16,64})\$([A-Za-z0-9_-]{43})$/;
// Django's PBKDF2PasswordHasher: pbkdf2_sha256$<iterations>$<salt>$<base64 of the 32-byte SHA-256 key>.
const DJANGO_PBKDF2_PATTERN = /^pbkdf2_sha256\$(\d{1,7})\$([^$]{1,128})\$([A-Za-z0-9+/]{43}=)$/;
const UNUSABLE: StoredHash = { kind: 'unusable' };

/**
 * Parses `scrypt$ln=…,r=…,p=…$<salt>$<key>` and Django's `pbkdf2_sha256$<iterations>$<salt>$<key>`; anything
 * else (Django's unusable `!…` marker, unknown formats, absurd costs) is `unusable` and never verifies.
 */
export function parseStoredHash(encoded: string): StoredHash {
  const scrypt = SCRYPT_PATTERN.exec(encoded);
  if (scrypt !== null) {
    const [, logN, r, p, salt, key] = scrypt as unknown as [string, string, string, string, string, string];
    const params: ScryptParams = { logN: Number(logN), r: Number(r), p: Number(p) };
    if (params.logN < 1 || params.logN > 20 || params.r < 1 || params.p < 1) return UNUSABLE;
    const keyBytes = Buffer.from(key, 'base64url');
    if (keyBytes.length !== SCRYPT_KEY_BYTES) return UNUSABLE;
    return { kind: 'scrypt', params, salt: Buffer.from(salt, 'base64url'), key: keyBytes };
  }
  const django = DJANGO_PBKDF2_PATTERN.exec(encoded);
  if (django !== null) {
    const [, iterations, salt, key] = django as unknown as [string, string, string, string];
    if (Number(iterations) < 1) return UNUSABLE;
    return { kind: 'pbkdf2', iterations: Number(iterations), salt, key: Buffer.from(key, 'base64') };
  }
  return UNUSABLE;
}

/** The api's own format for a scrypt key. */
export function encodeScryptHash(params: ScryptParams, salt: Buffer, key: Buffer): string {
  return `scrypt$ln=${params.logN},r=${params.r},p=${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}
