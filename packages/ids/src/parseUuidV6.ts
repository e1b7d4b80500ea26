import type { UuidV6 } from './brand.js';
import { isCanonicalV6, toUuidV6 } from './uuidFormat.js';

/**
 * Validates a UUIDv6 and returns it in canonical lowercase form; uppercase input is accepted. Throws
 * InvalidUuidError for anything that is not a UUID (including a non-string or a variant other than `10`),
 * and UuidVersionError for a UUID of another version (v1, v4, v7, nil, max...).
 *
 * @example
 * parseUuidV6('1EC9414C-232A-6B00-B3C8-9F6BDECED846'); // '1ec9414c-232a-6b00-b3c8-9f6bdeced846'
 * parseUuidV6(crypto.randomUUID()); // throws UuidVersionError: expected a UUIDv6, got version 4: "..."
 */
export function parseUuidV6(value: string): UuidV6 {
  return toUuidV6(value);
}

/**
 * True when `value` is a UUIDv6 string in canonical lowercase form (the form every function here returns).
 * Uppercase spellings are not canonical: normalise them with `parseUuidV6`.
 *
 * @example
 * isUuidV6('1ec9414c-232a-6b00-b3c8-9f6bdeced846'); // true
 * isUuidV6('1EC9414C-232A-6B00-B3C8-9F6BDECED846'); // false: not canonical
 * isUuidV6(42); // false
 */
export function isUuidV6(value: unknown): value is UuidV6 {
  return typeof value === 'string' && isCanonicalV6(value);
}
