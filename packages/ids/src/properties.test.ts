import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareUuids,
  IdError,
  isSlug,
  isUuidV6,
  parseSlug,
  parseUuidV6,
  slug,
  uuidFromBytes,
  uuidToBytes,
  uuidV1ToV6,
  uuidV6Date,
  uuidV6Ticks,
  uuidV6ToV1,
  uuidVersion,
  uuidv6,
  uuidv6At,
  uuidv6Batch,
} from './index.js';

const RUNS = 1_000;
const bytes16 = fc.uint8Array({ minLength: 16, maxLength: 16 });
const unixMs = fc.integer({ min: -12_219_292_800_000, max: 103_072_857_660_683 });
const sub = fc.integer({ min: 0, max: 9999 });
const v6 = fc.tuple(unixMs, sub).map(([ms, s]) => uuidv6At(ms, s));
const withVersion = (version: number) =>
  bytes16.map((b) => {
    b[6] = (b[6]! & 0x0f) | (version << 4);
    b[8] = (b[8]! & 0x3f) | 0x80;
    return uuidFromBytes(b);
  });
const hexChar = fc.constantFrom(...'0123456789abcdefABCDEF-xg \u00e9\u{1f600}\u0000'.split(''));
/** A v6 with one character replaced: sometimes still valid, mostly not. */
const mutatedV6 = fc
  .tuple(v6, fc.integer({ min: 0, max: 35 }), hexChar)
  .map(([id, at, char]) => id.slice(0, at) + char + id.slice(at + 1));
const junk = fc.oneof(
  fc.anything(),
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', minLength: 36, maxLength: 36 }),
  mutatedV6,
  fc.uuid().map((u) => u.toUpperCase()),
  bytes16,
  fc.uint8Array({ maxLength: 20 }),
  fc.double(),
  fc.date({ noInvalidDate: false }),
  fc.integer(),
);

/** Runs `fn`; the only acceptable failure is one of this package's named errors. */
function onlyIdErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(IdError);
    expect((error as IdError).code).toMatch(/^[A-Z_]+$/);
    expect((error as IdError).message.length).toBeGreaterThan(10);
  }
}

describe('round trips', () => {
  it('bytes -> string -> bytes is the identity for all 2^128 values', () => {
    fc.assert(
      fc.property(bytes16, (bytes) => {
        const text = uuidFromBytes(bytes);
        expect(text).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(uuidToBytes(text)).toEqual(bytes);
        expect(uuidToBytes(text.toUpperCase())).toEqual(bytes);
      }),
      { numRuns: RUNS },
    );
  });

  it('uuidv6At(ms, ticks) -> uuidV6Ticks / uuidV6Date gives the instant back, before 1970 too', () => {
    fc.assert(
      fc.property(unixMs, sub, (ms, ticks) => {
        const id = uuidv6At(ms, ticks);
        expect(isUuidV6(id)).toBe(true);
        expect(uuidV6Ticks(id)).toBe((BigInt(ms) + 12_219_292_800_000n) * 10_000n + BigInt(ticks));
        expect(uuidV6Date(id).getTime()).toBe(ms);
        expect(uuidV6Date(uuidv6At(new Date(ms), ticks)).getTime()).toBe(ms);
      }),
      { numRuns: RUNS },
    );
  });

  it('parseUuidV6 accepts any case and returns the canonical form', () => {
    fc.assert(
      fc.property(fc.mixedCase(v6), (id) => {
        const parsed = parseUuidV6(id);
        expect(parsed).toBe(id.toLowerCase());
        expect(isUuidV6(parsed)).toBe(true);
        expect(parseUuidV6(parsed)).toBe(parsed);
      }),
      { numRuns: RUNS },
    );
  });

  it('v1 -> v6 -> v1 and v6 -> v1 -> v6 are identities; the timestamp is kept', () => {
    fc.assert(
      fc.property(withVersion(1), v6, (v1, id) => {
        const converted = uuidV1ToV6(v1);
        expect(uuidVersion(converted)).toBe(6);
        expect(uuidV6ToV1(converted)).toBe(v1);
        expect(uuidV1ToV6(uuidV6ToV1(id))).toBe(id);
        expect(converted.slice(19)).toBe(v1.slice(19));
      }),
      { numRuns: RUNS },
    );
  });

  it('slugs of any supported length parse back to themselves', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 256 }), (length) => {
        const s = slug(length);
        expect(s).toHaveLength(length);
        expect(parseSlug(s, length)).toBe(s);
        expect(isSlug(s, length)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('ordering', () => {
  it('compareUuids is the byte order, antisymmetric, and v6 order is time order', () => {
    fc.assert(
      fc.property(v6, v6, (a, b) => {
        const byteOrder = Math.sign(Buffer.compare(uuidToBytes(a), uuidToBytes(b)));
        expect(compareUuids(a, b)).toBe(byteOrder);
        expect(compareUuids(b, a)).toBe(-byteOrder || 0);
        const ticksA = uuidV6Ticks(a);
        const ticksB = uuidV6Ticks(b);
        if (ticksA !== ticksB) expect(compareUuids(a, b)).toBe(ticksA < ticksB ? -1 : 1);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('no input makes a parser throw anything but its named errors', () => {
  const parsers: [string, (value: unknown, extra: unknown) => unknown][] = [
    ['parseUuidV6', (v) => parseUuidV6(v as string)],
    ['isUuidV6', (v) => expect(typeof isUuidV6(v)).toBe('boolean')],
    ['uuidVersion', (v) => uuidVersion(v as string)],
    ['uuidToBytes', (v) => uuidToBytes(v as string)],
    ['uuidFromBytes', (v) => uuidFromBytes(v as Uint8Array)],
    ['uuidV6Ticks', (v) => uuidV6Ticks(v as string)],
    ['uuidV6Date', (v) => uuidV6Date(v as string)],
    ['compareUuids', (v, w) => compareUuids(v as string, w as string)],
    ['uuidV1ToV6', (v) => uuidV1ToV6(v as string)],
    ['uuidV6ToV1', (v) => uuidV6ToV1(v as string)],
    ['uuidv6At', (v, w) => uuidv6At(v as number, w as number)],
    ['uuidv6Batch', (v, w) => uuidv6Batch([v, w] as number[])],
    ['uuidv6Batch (not an array)', (v) => uuidv6Batch(v as number[])],
    ['slug', (v) => slug(v as number)],
    ['parseSlug', (v, w) => parseSlug(v as string, typeof w === 'number' ? w : 12)],
    ['isSlug', (v, w) => expect(typeof isSlug(v, w as number)).toBe('boolean')],
  ];
  for (const [name, parse] of parsers) {
    it(name, () => {
      fc.assert(
        fc.property(junk, junk, (value, extra) => onlyIdErrors(() => parse(value, extra))),
        { numRuns: RUNS },
      );
    });
  }

  it('a v6 with one character changed either parses to a v6 or throws a named error', () => {
    fc.assert(
      fc.property(mutatedV6, (value) => {
        let parsed: string | undefined;
        onlyIdErrors(() => {
          parsed = parseUuidV6(value);
        });
        if (parsed !== undefined) expect(uuidVersion(parsed)).toBe(6);
      }),
      { numRuns: RUNS },
    );
  });

  it('isUuidV6 agrees with parseUuidV6 on canonical strings', () => {
    fc.assert(
      fc.property(fc.oneof(mutatedV6, fc.constant(uuidv6())), (value) => {
        let parsed: string | undefined;
        onlyIdErrors(() => {
          parsed = parseUuidV6(value);
        });
        expect(isUuidV6(value)).toBe(parsed === value);
      }),
      { numRuns: RUNS },
    );
  });
});
