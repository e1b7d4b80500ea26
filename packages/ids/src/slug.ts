import type { Slug } from './brand.js';
import { characters, describeNumber, describeType, quote } from './describe.js';
import { InvalidSlugError } from './errors.js';

/** The Base62 alphabet of slugs: digits, lowercase, uppercase. */
export const BASE62_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** Default slug length: 12 Base62 characters carry 71.4 bits. */
export const DEFAULT_SLUG_LENGTH = 12;
/** Longest slug `slug()` makes. */
export const MAX_SLUG_LENGTH = 256;

const IS_BASE62 = /* @__PURE__ */ (() => {
  const table = new Uint8Array(256);
  for (let i = 0; i < 62; i++) table[BASE62_ALPHABET.charCodeAt(i)] = 1;
  return table;
})();

const POOL_CHARS = 16_384;
const poolChars = new Uint8Array(POOL_CHARS);
const randomBytes = new Uint8Array(POOL_CHARS);
/** Char code of the Base62 character for each 6-bit value; 0 marks the two rejected values 62 and 63. */
const CHAR_FOR = /* @__PURE__ */ (() => {
  const table = new Uint8Array(64);
  for (let i = 0; i < 62; i++) table[i] = BASE62_ALPHABET.charCodeAt(i);
  return table;
})();
const latin1 = new TextDecoder('latin1');
const codes: number[] = [];
let pool = '';
let poolOffset = 0;

/**
 * Refills the pool with CSPRNG-chosen Base62 characters. NanoID's rejection sampling: a byte masked to 6 bits
 * is uniform over 0..63, and dropping 62 and 63 leaves every character exactly equally likely (no modulo
 * bias); 97% of the bytes are kept.
 */
function refill(): void {
  let filled = 0;
  while (filled < POOL_CHARS) {
    crypto.getRandomValues(randomBytes);
    for (let i = 0; i < POOL_CHARS && filled < POOL_CHARS; i++) {
      const code = CHAR_FOR[randomBytes[i]! & 63]!;
      if (code !== 0) poolChars[filled++] = code;
    }
  }
  pool = latin1.decode(poolChars);
  poolOffset = 0;
}

/**
 * Generates an opaque Base62 slug (NanoID alphabet 0-9a-zA-Z from a CSPRNG, no modulo bias) of `length`
 * characters (default 12, ~71 bits; 1..256). The string is flat: it never keeps a random pool alive.
 *
 * @example
 * slug(); // 'x7Gq2LmZ0pQa'
 * slug(22); // a longer slug for secrets that must not be guessed
 */
export function slug(length: number = DEFAULT_SLUG_LENGTH): Slug {
  // typeof first: a comparison would convert a symbol (TypeError) or run an object's valueOf
  if (!(typeof length === 'number' && length >= 1 && length <= MAX_SLUG_LENGTH && Number.isInteger(length))) {
    throw new InvalidSlugError(slugLengthProblem(length, 'slug length'));
  }
  if (poolOffset + length > pool.length) refill();
  const start = poolOffset;
  poolOffset += length;
  // V8 copies substrings shorter than 13 characters; longer ones would be slices pinning the 16 KB pool
  // (TOOLCHAIN.md, nanoid), so they are built from char codes into a fresh flat string instead.
  if (length < 13) return pool.substring(start, poolOffset) as Slug;
  codes.length = length;
  for (let i = 0; i < length; i++) codes[i] = poolChars[start + i]!;
  return String.fromCharCode.apply(null, codes) as Slug;
}

/** Why `length` is not a supported slug length (an integer from 1 to 256), or undefined when it is one. */
export function slugLengthProblem(length: unknown, label: string): string | undefined {
  if (typeof length === 'number' && length >= 1 && length <= MAX_SLUG_LENGTH && Number.isInteger(length)) {
    return undefined;
  }
  return `${label} must be an integer from 1 to ${MAX_SLUG_LENGTH}, got ${describeNumber(length)}`;
}

/** Describes why `value` is not a slug of `length` characters, or returns undefined when it is one. */
export function slugProblem(value: unknown, length: number = DEFAULT_SLUG_LENGTH): string | undefined {
  if (typeof value !== 'string') return `expected a slug string, got ${describeType(value)}`;
  if (value.length !== length) {
    return `expected a ${length}-character slug, got ${characters(value.length)}: ${quote(value)}`;
  }
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i);
    if (code > 255 || IS_BASE62[code] === 0) {
      return `expected a Base62 character (0-9, a-z, A-Z) at position ${i} of a slug, got ${quote(value[i]!)} in ${quote(value)}`;
    }
  }
  return undefined;
}

/**
 * True when `value` is a Base62 slug of exactly `length` characters (default 12); false for any `length`
 * that is not a slug length (1..256).
 *
 * @example
 * isSlug('x7Gq2LmZ0pQa'); // true
 * isSlug('x7Gq2LmZ0pQ-'); // false
 * isSlug('abc', 3); // true
 */
export function isSlug(value: unknown, length: number = DEFAULT_SLUG_LENGTH): value is Slug {
  // equal to a string's length, `length` is an integer >= 0: only 0 and > 256 remain to be refused
  if (typeof value !== 'string' || value.length !== length || length === 0 || length > MAX_SLUG_LENGTH) {
    return false;
  }
  for (let i = 0; i < length; i++) {
    const code = value.charCodeAt(i);
    if (code > 255 || IS_BASE62[code] === 0) return false;
  }
  return true;
}

/**
 * Validates a slug of `length` characters (default 12) and returns it branded; slugs are case-sensitive, so
 * nothing is normalised. Throws InvalidSlugError saying what is wrong, also when `length` is not an integer
 * from 1 to 256.
 *
 * @example
 * parseSlug(request.params.slug); // Slug, or throws InvalidSlugError
 */
export function parseSlug(value: string, length: number = DEFAULT_SLUG_LENGTH): Slug {
  if (isSlug(value, length)) return value;
  throw new InvalidSlugError(
    slugLengthProblem(length, 'slug length') ??
      slugProblem(value, length) ??
      `expected a ${length}-character slug`,
  );
}
