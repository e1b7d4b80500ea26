import { describeType } from './describe.js';
import { InvalidUuidError } from './errors.js';
import { HEX_CODE, HEX_VALUE } from './hex.js';
import { toUuidString } from './uuidFormat.js';

const typedArrayPrototype: object = /* @__PURE__ */ Object.getPrototypeOf(Uint8Array.prototype);
/**
 * The getters of `%TypedArray%.prototype` read a typed array's internal slots: its type name (undefined for
 * anything else, a proxy or an object with a spoofed `Symbol.toStringTag` included, from any realm) and its
 * true length, which an own `length` property cannot fake. Calling them runs no code of the argument's own.
 */
const typedArrayName = /* @__PURE__ */ Object.getOwnPropertyDescriptor(
  typedArrayPrototype,
  Symbol.toStringTag,
)!.get as (this: unknown) => string | undefined;
const typedArrayLength = /* @__PURE__ */ Object.getOwnPropertyDescriptor(typedArrayPrototype, 'length')!
  .get as (this: unknown) => number;

/**
 * Converts any UUID string (any version or variant, any case) to its 16 bytes, e.g. for a binary column.
 * Throws InvalidUuidError for anything that is not a 36-character hyphenated hex string.
 *
 * @example
 * uuidToBytes('1ec9414c-232a-6b00-b3c8-9f6bdeced846'); // Uint8Array(16) [0x1e, 0xc9, 0x41, ...]
 */
export function uuidToBytes(value: string): Uint8Array {
  const text = toUuidString(value);
  const bytes = new Uint8Array(16);
  let j = 0;
  for (let i = 0; i < 36; i += 2) {
    if (i === 8 || i === 13 || i === 18 || i === 23) i++;
    bytes[j++] = (HEX_VALUE[text.charCodeAt(i)]! << 4) | HEX_VALUE[text.charCodeAt(i + 1)]!;
  }
  return bytes;
}

/**
 * Formats 16 bytes as a canonical lowercase UUID string; the inverse of `uuidToBytes`. Throws
 * InvalidUuidError unless given a `Uint8Array` (a Node `Buffer` is one, so is one from another realm) of
 * exactly 16 bytes.
 *
 * @example
 * uuidFromBytes(uuidToBytes('1EC9414C-232A-6B00-B3C8-9F6BDECED846')); // '1ec9414c-232a-6b00-b3c8-9f6bdeced846'
 */
export function uuidFromBytes(bytes: Uint8Array): string {
  // Not `instanceof` nor Object.prototype.toString: a look-alike object (issue 13: a spoofed type tag and
  // elements above 255 gave a string with NUL characters) or a proxy must not pass, a foreign realm's must.
  if (typedArrayName.call(bytes) !== 'Uint8Array') {
    throw new InvalidUuidError(`expected a Uint8Array of 16 bytes, got ${describeType(bytes)}`);
  }
  const length = typedArrayLength.call(bytes);
  if (length !== 16) throw new InvalidUuidError(`expected 16 bytes, got ${length}`);
  const h = HEX_CODE;
  const b0 = bytes[0]!;
  const b1 = bytes[1]!;
  const b2 = bytes[2]!;
  const b3 = bytes[3]!;
  const b4 = bytes[4]!;
  const b5 = bytes[5]!;
  const b6 = bytes[6]!;
  const b7 = bytes[7]!;
  const b8 = bytes[8]!;
  const b9 = bytes[9]!;
  const b10 = bytes[10]!;
  const b11 = bytes[11]!;
  const b12 = bytes[12]!;
  const b13 = bytes[13]!;
  const b14 = bytes[14]!;
  const b15 = bytes[15]!;
  // one flat string, like the ids uuidv6() makes (a concatenation would be a tree of cons strings)
  return String.fromCharCode(
    h[b0 >>> 4]!,
    h[b0 & 15]!,
    h[b1 >>> 4]!,
    h[b1 & 15]!,
    h[b2 >>> 4]!,
    h[b2 & 15]!,
    h[b3 >>> 4]!,
    h[b3 & 15]!,
    45,
    h[b4 >>> 4]!,
    h[b4 & 15]!,
    h[b5 >>> 4]!,
    h[b5 & 15]!,
    45,
    h[b6 >>> 4]!,
    h[b6 & 15]!,
    h[b7 >>> 4]!,
    h[b7 & 15]!,
    45,
    h[b8 >>> 4]!,
    h[b8 & 15]!,
    h[b9 >>> 4]!,
    h[b9 & 15]!,
    45,
    h[b10 >>> 4]!,
    h[b10 & 15]!,
    h[b11 >>> 4]!,
    h[b11 & 15]!,
    h[b12 >>> 4]!,
    h[b12 & 15]!,
    h[b13 >>> 4]!,
    h[b13 & 15]!,
    h[b14 >>> 4]!,
    h[b14 & 15]!,
    h[b15 >>> 4]!,
    h[b15 & 15]!,
  );
}
