import { toUuidString } from './uuidFormat.js';

/**
 * Orders two UUID strings by their 128-bit value (case-insensitive), for `Array#sort`. For v6 this is time
 * order, and it matches PostgreSQL's ordering of the `uuid` type. Throws InvalidUuidError for a malformed
 * string.
 *
 * @example
 * ids.sort(compareUuids);
 * compareUuids(uuidv6(), uuidv6()); // -1
 */
export function compareUuids(a: string, b: string): -1 | 0 | 1 {
  const left = toUuidString(a);
  const right = toUuidString(b);
  return left < right ? -1 : left > right ? 1 : 0;
}
