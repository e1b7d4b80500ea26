import { pbkdf2, scrypt } from 'node:crypto';
import { promisify } from 'node:util';
import { type ScryptParams, scryptMaxmem } from './scryptParams.js';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;
const pbkdf2Async = promisify(pbkdf2);

/**
 * The key derivations behind every password check, in one place so that the api's cost per login can be
 * counted (tests wrap `nodeKdf` and record each call) and the branches of a login compared by the work they do.
 */
export interface Kdf {
  scrypt(password: string, salt: Buffer, keyLength: number, params: ScryptParams): Promise<Buffer>;
  pbkdf2Sha256(password: string, salt: string, iterations: number, keyLength: number): Promise<Buffer>;
}

/** node:crypto's scrypt and PBKDF2, on libuv's thread pool. */
export const nodeKdf: Kdf = {
  scrypt: (password, salt, keyLength, params) =>
    scryptAsync(password, salt, keyLength, {
      N: 2 ** params.logN,
      r: params.r,
      p: params.p,
      maxmem: scryptMaxmem(params),
    }),
  pbkdf2Sha256: (password, salt, iterations, keyLength) =>
    pbkdf2Async(password, salt, iterations, keyLength, 'sha256'),
};
