import { GREGORIAN_OFFSET_MS } from './gregorian.js';
import { toUuidV6 } from './uuidFormat.js';

/**
 * The exact 60-bit timestamp of a UUIDv6: 100-ns ticks since the Gregorian epoch 1582-10-15T00:00:00Z.
 * Throws like `parseUuidV6` for anything but a v6.
 *
 * @example
 * uuidV6Ticks('1ec9414c-232a-6b00-b3c8-9f6bdeced846'); // 138648505420000000n
 */
export function uuidV6Ticks(id: string): bigint {
  const v6 = toUuidV6(id);
  return BigInt(`0x${v6.slice(0, 8)}${v6.slice(9, 13)}${v6.slice(15, 18)}`);
}

/**
 * The instant of a UUIDv6 as a `Date` (millisecond precision: the 100-ns remainder is dropped). Throws like
 * `parseUuidV6` for anything but a v6.
 *
 * @example
 * uuidV6Date('1ec9414c-232a-6b00-b3c8-9f6bdeced846').toISOString(); // '2022-02-22T19:22:22.000Z'
 */
export function uuidV6Date(id: string): Date {
  return new Date(Number(uuidV6Ticks(id) / 10_000n) - GREGORIAN_OFFSET_MS);
}
