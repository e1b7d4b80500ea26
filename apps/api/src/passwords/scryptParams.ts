/** scrypt cost parameters; they are encoded into every hash so they can be raised later. */
export interface ScryptParams {
  /** log2 of N (CPU/memory cost). */
  logN: number;
  r: number;
  p: number;
}

/**
 * OWASP's Password Storage Cheat Sheet lists N=2^14, r=8, p=5 as equivalent to its other scrypt
 * settings; it needs 16 MiB per hash instead of 128 MiB, which suits small api machines.
 */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { logN: 14, r: 8, p: 5 };

/** Memory scrypt needs for these params, with headroom (node's default maxmem is 32 MiB). */
export function scryptMaxmem(params: ScryptParams): number {
  return 128 * params.r * (2 ** params.logN + params.p + 2) * 2;
}
