import { describe, expect, it } from 'vitest';
import {
  compareUuids,
  parseUuidV6,
  uuidFromBytes,
  uuidToBytes,
  uuidV1ToV6,
  uuidV6Date,
  uuidV6Ticks,
  uuidV6ToV1,
  uuidVersion,
  uuidv6At,
} from './index.js';

// RFC 9562 appendix A.5 (v6) and A.1 (the same instant as v1).
const V6 = '1EC9414C-232A-6B00-B3C8-9F6BDECED846';
const V1 = 'C232AB00-9414-11EC-B3C8-9F6BDECED846';
const UNIX_MS = 1_645_557_742_000;
const GREGORIAN_TICKS = 138_648_505_420_000_000n;

describe('RFC 9562 appendix A.5 test vector', () => {
  it('parses to its lowercase canonical form', () => {
    expect(parseUuidV6(V6)).toBe(V6.toLowerCase());
    expect(uuidVersion(V6)).toBe(6);
  });

  it('encodes Unix ms 1645557742000 (2022-02-22T19:22:22Z) as 100-ns ticks since 1582-10-15', () => {
    expect(uuidV6Ticks(V6)).toBe(GREGORIAN_TICKS);
    expect(uuidV6Ticks(V6)).toBe((BigInt(UNIX_MS) + 12_219_292_800_000n) * 10_000n);
    expect(uuidV6Date(V6).getTime()).toBe(UNIX_MS);
    expect(uuidV6Date(V6).toISOString()).toBe('2022-02-22T19:22:22.000Z');
  });

  it('has variant 10, clock sequence 0x33C8 and node 0x9F6BDECED846', () => {
    const bytes = uuidToBytes(V6);
    expect(bytes[8]! >> 6).toBe(0b10);
    expect(((bytes[8]! << 8) | bytes[9]!) & 0x3fff).toBe(0x33c8);
    expect(Buffer.from(bytes.subarray(10)).toString('hex')).toBe('9f6bdeced846');
    expect(uuidFromBytes(bytes)).toBe(V6.toLowerCase());
  });

  it('converts to and from its v1 form C232AB00-9414-11EC-B3C8-9F6BDECED846', () => {
    expect(uuidV6ToV1(V6)).toBe(V1.toLowerCase());
    expect(uuidV1ToV6(V1)).toBe(V6.toLowerCase());
    expect(uuidVersion(V1)).toBe(1);
  });

  it('is what uuidv6At produces for that instant, up to the random clock sequence and node', () => {
    const id = uuidv6At(UNIX_MS);
    expect(id.slice(0, 18)).toBe(V6.toLowerCase().slice(0, 18));
    expect(uuidV6Ticks(id)).toBe(GREGORIAN_TICKS);
    expect(compareUuids(id, uuidv6At(UNIX_MS, 1))).toBe(-1);
  });
});
