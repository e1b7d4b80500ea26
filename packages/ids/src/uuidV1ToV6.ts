import type { UuidV6 } from './brand.js';
import { toVersion } from './uuidFormat.js';

/**
 * Rewrites a UUIDv1 as the UUIDv6 with the same timestamp, clock sequence and node (RFC 9562 s5.6): the
 * timestamp's bits move to most-significant-first so the id sorts by time. Throws UuidVersionError for a
 * UUID of another version and InvalidUuidError for a malformed one.
 *
 * @example
 * uuidV1ToV6('C232AB00-9414-11EC-B3C8-9F6BDECED846'); // '1ec9414c-232a-6b00-b3c8-9f6bdeced846'
 */
export function uuidV1ToV6(v1: string): UuidV6 {
  const u = toVersion(v1, 1);
  // v1 stores time_low(8 hex) - time_mid(4) - 1 time_high(3); v6 wants time_high time_mid time_low.
  const ticks = u.slice(15, 18) + u.slice(9, 13) + u.slice(0, 8);
  return `${ticks.slice(0, 8)}-${ticks.slice(8, 12)}-6${ticks.slice(12, 15)}${u.slice(18)}` as UuidV6;
}

/**
 * Rewrites a UUIDv6 as the UUIDv1 with the same timestamp, clock sequence and node, for systems that only
 * understand v1. Throws UuidVersionError for a UUID of another version.
 *
 * @example
 * uuidV6ToV1('1ec9414c-232a-6b00-b3c8-9f6bdeced846'); // 'c232ab00-9414-11ec-b3c8-9f6bdeced846'
 */
export function uuidV6ToV1(v6: string): string {
  const u = toVersion(v6, 6);
  const ticks = u.slice(0, 8) + u.slice(9, 13) + u.slice(15, 18);
  return `${ticks.slice(7, 15)}-${ticks.slice(3, 7)}-1${ticks.slice(0, 3)}${u.slice(18)}`;
}
