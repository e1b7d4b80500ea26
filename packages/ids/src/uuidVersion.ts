import { rfcVersion, toUuidString } from './uuidFormat.js';

/**
 * The version of an RFC 9562 UUID: 1..8, 0 for the nil UUID and 15 for the max UUID. Throws
 * InvalidUuidError for a malformed string, a variant other than `10`, or an undefined version.
 *
 * @example
 * uuidVersion('1ec9414c-232a-6b00-b3c8-9f6bdeced846'); // 6
 * uuidVersion(crypto.randomUUID()); // 4
 */
export function uuidVersion(value: string): number {
  return rfcVersion(toUuidString(value));
}
