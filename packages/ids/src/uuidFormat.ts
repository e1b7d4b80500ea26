import type { UuidV6 } from './brand.js';
import { characters, describeType, quote } from './describe.js';
import { InvalidUuidError, UuidVersionError } from './errors.js';
import { HEX_VALUE } from './hex.js';

const NIL = '00000000-0000-0000-0000-000000000000';
const MAX = 'ffffffff-ffff-ffff-ffff-ffffffffffff';
const CANONICAL_V6 = /^[0-9a-f]{8}-[0-9a-f]{4}-6[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** True for a v6 in canonical lowercase form: the fast path of every v6 parser. */
export function isCanonicalV6(value: string): boolean {
  return CANONICAL_V6.test(value);
}

/**
 * Checks that `value` is a 36-character hyphenated hex string (any case, any version or variant) and returns
 * it lowercased; throws InvalidUuidError saying what is wrong.
 */
export function toUuidString(value: unknown): string {
  if (typeof value !== 'string')
    throw new InvalidUuidError(`expected a UUID string, got ${describeType(value)}`);
  if (value.length !== 36) {
    throw new InvalidUuidError(
      `expected a 36-character UUID (8-4-4-4-12 hex digits), got ${characters(value.length)}: ${quote(value)}`,
    );
  }
  for (let i = 0; i < 36; i++) {
    const code = value.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (code !== 45) {
        throw new InvalidUuidError(
          `expected '-' at position ${i} of a UUID, got ${quote(value[i]!)} in ${quote(value)}`,
        );
      }
    } else if (code > 255 || HEX_VALUE[code] === 255) {
      throw new InvalidUuidError(
        `expected a hex digit at position ${i} of a UUID, got ${quote(value[i]!)} in ${quote(value)}`,
      );
    }
  }
  return value.toLowerCase();
}

function variantName(lowered: string): string {
  const bits = HEX_VALUE[lowered.charCodeAt(19)]!;
  if (bits < 8) return 'the NCS variant 0';
  if (bits >= 14) return 'the reserved variant 111';
  return 'the Microsoft variant 110';
}

/**
 * Version of a UUID string per RFC 9562: 0 for the nil UUID, 15 for the max UUID, 1..8 for variant-10
 * UUIDs. Other variants and the undefined versions 0 and 9..15 throw InvalidUuidError.
 */
export function rfcVersion(lowered: string): number {
  if (lowered === NIL) return 0;
  if (lowered === MAX) return 15;
  const variantBits = HEX_VALUE[lowered.charCodeAt(19)]!;
  if (variantBits < 8 || variantBits > 11) {
    throw new InvalidUuidError(
      `expected the RFC 9562 variant 10, got ${variantName(lowered)} in ${quote(lowered)}`,
    );
  }
  const version = HEX_VALUE[lowered.charCodeAt(14)]!;
  if (version < 1 || version > 8) {
    throw new InvalidUuidError(`UUID version ${version} is not defined by RFC 9562 in ${quote(lowered)}`);
  }
  return version;
}

/** Validates that `value` is a UUID of `expected` version and returns it lowercased. */
export function toVersion(value: unknown, expected: number): string {
  const lowered = toUuidString(value);
  const actual = rfcVersion(lowered);
  if (actual !== expected) {
    const what = actual === 0 ? 'the nil UUID' : actual === 15 ? 'the max UUID' : `version ${actual}`;
    throw new UuidVersionError(
      expected,
      actual,
      `expected a UUIDv${expected}, got ${what}: ${quote(lowered)}`,
    );
  }
  return lowered;
}

/** Validates a v6 (any case) and returns it in canonical lowercase form. */
export function toUuidV6(value: unknown): UuidV6 {
  if (typeof value === 'string' && CANONICAL_V6.test(value)) return value as UuidV6;
  return toVersion(value, 6) as UuidV6;
}
