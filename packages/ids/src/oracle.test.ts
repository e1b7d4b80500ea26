import fc from 'fast-check';
import * as uuid from 'uuid';
import { describe, expect, it } from 'vitest';
import {
  compareUuids,
  isUuidV6,
  parseUuidV6,
  uuidFromBytes,
  uuidToBytes,
  uuidV1ToV6,
  uuidV6Date,
  uuidV6Ticks,
  uuidV6ToV1,
  uuidVersion,
  uuidv6,
  uuidv6At,
} from './index.js';

// The `uuid` package is the reference implementation: every codec here must agree with it on many inputs.
const RUNS = 2_000;
const unixMs = fc.integer({ min: -12_219_292_800_000, max: 103_072_857_660_683 });
const nsecs = fc.integer({ min: 0, max: 9999 });
const clockseq = fc.integer({ min: 0, max: 0x3fff });
const node = fc.uint8Array({ minLength: 6, maxLength: 6 });
const bytes16 = fc.uint8Array({ minLength: 16, maxLength: 16 });
const anyRfcUuid = fc.oneof(
  fc.uuid({ version: [1, 2, 3, 4, 5, 6, 7, 8] }),
  fc.constantFrom(uuid.NIL, uuid.MAX),
  fc
    .tuple(unixMs, nsecs, clockseq, node)
    .map(([msecs, n, seq, nd]) => uuid.v6({ msecs, nsecs: n, clockseq: seq, node: nd })),
);
const mixedCase = (arb: fc.Arbitrary<string>) => fc.mixedCase(arb);

describe('cross-check against the uuid package', () => {
  it('encodes the same timestamp as uuid.v6 for any instant and 100-ns remainder', () => {
    fc.assert(
      fc.property(unixMs, nsecs, (msecs, n) => {
        const ours = uuidv6At(msecs, n);
        const theirs = uuid.v6({ msecs, nsecs: n });
        expect(ours.slice(0, 18)).toBe(theirs.slice(0, 18));
        expect(uuid.version(ours)).toBe(6);
        expect(uuid.validate(ours)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('reads the timestamp uuid.v6 encoded (ticks and Date)', () => {
    fc.assert(
      fc.property(unixMs, nsecs, clockseq, node, (msecs, n, seq, nd) => {
        const theirs = uuid.v6({ msecs, nsecs: n, clockseq: seq, node: nd });
        expect(uuidV6Ticks(theirs)).toBe((BigInt(msecs) + 12_219_292_800_000n) * 10_000n + BigInt(n));
        expect(uuidV6Date(theirs).getTime()).toBe(msecs);
        expect(parseUuidV6(theirs.toUpperCase())).toBe(theirs);
      }),
      { numRuns: RUNS },
    );
  });

  it('parses to the same bytes as uuid.parse', () => {
    fc.assert(
      fc.property(mixedCase(anyRfcUuid), (value) => {
        expect(uuidToBytes(value)).toEqual(uuid.parse(value));
      }),
      { numRuns: RUNS },
    );
  });

  it('formats the same string as uuid.stringify', () => {
    fc.assert(
      fc.property(anyRfcUuid, (value) => {
        const bytes = uuid.parse(value);
        expect(uuidFromBytes(bytes)).toBe(uuid.stringify(bytes));
      }),
      { numRuns: RUNS },
    );
  });

  it('reports the same version as uuid.version, and rejects exactly what uuid.validate rejects', () => {
    const candidates = fc.oneof(
      anyRfcUuid,
      bytes16.map((b) => uuidFromBytes(b)),
      fc.uuid({ version: [9, 10, 11, 12, 13, 14, 15] }),
      fc.uuid({ version: 1 }).map((u) => `${u.slice(0, 14)}0${u.slice(15)}`),
    );
    fc.assert(
      fc.property(mixedCase(candidates), (value) => {
        if (uuid.validate(value)) expect(uuidVersion(value)).toBe(uuid.version(value));
        else expect(() => uuidVersion(value)).toThrow();
        expect(isUuidV6(value)).toBe(
          uuid.validate(value) && uuid.version(value) === 6 && value === value.toLowerCase(),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('converts v1 to v6 and back like uuid.v1ToV6 / uuid.v6ToV1', () => {
    fc.assert(
      fc.property(unixMs, nsecs, clockseq, node, (msecs, n, seq, nd) => {
        const v1 = uuid.v1({ msecs, nsecs: n, clockseq: seq, node: nd });
        const v6 = uuid.v1ToV6(v1);
        expect(uuidV1ToV6(v1)).toBe(v6);
        expect(uuidV1ToV6(v1.toUpperCase())).toBe(v6);
        expect(uuidV6ToV1(v6)).toBe(uuid.v6ToV1(v6));
        expect(uuidV6ToV1(v6)).toBe(v1);
      }),
      { numRuns: RUNS },
    );
  });

  it('converts our own generated v6 ids to the v1 uuid computes', () => {
    for (let i = 0; i < RUNS; i++) {
      const id = i % 2 === 0 ? uuidv6() : uuidv6At(Date.now() - i * 1_000_000_000);
      expect(uuidV6ToV1(id)).toBe(uuid.v6ToV1(id));
      expect(uuidV1ToV6(uuidV6ToV1(id))).toBe(id);
    }
  });

  it('orders like the bytes uuid.parse returns', () => {
    fc.assert(
      fc.property(anyRfcUuid, anyRfcUuid, (a, b) => {
        const byteOrder = Math.sign(Buffer.compare(uuid.parse(a), uuid.parse(b)));
        expect(compareUuids(a.toUpperCase(), b)).toBe(byteOrder);
      }),
      { numRuns: RUNS },
    );
  });
});
