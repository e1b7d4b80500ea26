import { describeType } from './describe.js';
import { InvalidUuidError } from './errors.js';
import { HEX_CODE, HEX_VALUE } from './hex.js';

const codes: number[] = [];

import { toUuidString } from './uuidFormat.js';

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
 * InvalidUuidError unless given a `Uint8Array` (a Node `Buffer` is one) of exactly 16 bytes.
 *
 * @example
 * uuidFromBytes(uuidToBytes('1EC9414C-232A-6B00-B3C8-9F6BDECED846')); // '1ec9414c-232a-6b00-b3c8-9f6bdeced846'
 */
export function uuidFromBytes(bytes: Uint8Array): string {
  // the tag check also accepts a Uint8Array from another realm (vm context, worker-transferred view)
  if (!(bytes instanceof Uint8Array || Object.prototype.toString.call(bytes) === '[object Uint8Array]')) {
    throw new InvalidUuidError(`expected a Uint8Array of 16 bytes, got ${describeType(bytes)}`);
  }
  if (bytes.length !== 16) throw new InvalidUuidError(`expected 16 bytes, got ${bytes.length}`);
  // one flat string, like the ids uuidv6() makes (a concatenation would be a tree of cons strings)
  codes.length = 0;
  for (let i = 0; i < 16; i++) {
    const byte = bytes[i]!;
    codes.push(HEX_CODE[byte >>> 4]!, HEX_CODE[byte & 15]!);
    if (i === 3 || i === 5 || i === 7 || i === 9) codes.push(45);
  }
  return String.fromCharCode.apply(null, codes);
}
