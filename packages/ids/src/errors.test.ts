import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  compareUuids,
  defineIdKind,
  IdError,
  InvalidIdKindError,
  InvalidInstantError,
  InvalidSlugError,
  InvalidUuidError,
  isSlug,
  parseSlug,
  parseUuidV6,
  slug,
  UuidVersionError,
  uuidFromBytes,
  uuidToBytes,
  uuidV1ToV6,
  uuidV6ToV1,
  uuidVersion,
  uuidv6At,
  uuidv6Batch,
} from './index.js';

const V4 = '9b2c6d7e-1f3a-4b5c-8d9e-0f1a2b3c4d5e';
const V7 = '017f22e2-79b0-7cc3-98c4-dc0c0c07398f';
const V1 = 'c232ab00-9414-11ec-b3c8-9f6bdeced846';
const V6 = '1ec9414c-232a-6b00-b3c8-9f6bdeced846';
const NIL = '00000000-0000-0000-0000-000000000000';
const MAX = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

describe('error classes', () => {
  it('extend IdError and Error, carry their name and a stable code', () => {
    const errors = [
      [new InvalidUuidError('m'), 'InvalidUuidError', 'INVALID_UUID'],
      [new UuidVersionError(6, 4), 'UuidVersionError', 'UUID_VERSION'],
      [new InvalidSlugError('m'), 'InvalidSlugError', 'INVALID_SLUG'],
      [new InvalidInstantError('m'), 'InvalidInstantError', 'INVALID_INSTANT'],
      [new InvalidIdKindError('m'), 'InvalidIdKindError', 'INVALID_ID_KIND'],
    ] as const;
    for (const [error, name, code] of errors) {
      expect(error).toBeInstanceOf(IdError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(name);
      expect(error.code).toBe(code);
      expect(error.stack?.startsWith(`${name}: ${error.message}`)).toBe(true);
      expect(String(error)).toBe(`${name}: ${error.message}`);
    }
    const version = new UuidVersionError(6, 4);
    expect([version.expected, version.actual, version.message]).toEqual([
      6,
      4,
      'expected a UUIDv6, got version 4',
    ]);
  });
});

describe('parseUuidV6 rejections', () => {
  const cases: [unknown, abstract new (...args: never[]) => IdError, string][] = [
    [V4, UuidVersionError, `expected a UUIDv6, got version 4: "${V4}"`],
    [V7, UuidVersionError, `expected a UUIDv6, got version 7: "${V7}"`],
    [V1.toUpperCase(), UuidVersionError, `expected a UUIDv6, got version 1: "${V1}"`],
    [NIL, UuidVersionError, `expected a UUIDv6, got the nil UUID: "${NIL}"`],
    [MAX, UuidVersionError, `expected a UUIDv6, got the max UUID: "${MAX}"`],
    [
      '1ec9414c-232a-6b00-73c8-9f6bdeced846',
      InvalidUuidError,
      'expected the RFC 9562 variant 10, got the NCS variant 0',
    ],
    [
      '1ec9414c-232a-6b00-c3c8-9f6bdeced846',
      InvalidUuidError,
      'expected the RFC 9562 variant 10, got the Microsoft variant 110',
    ],
    [
      '1ec9414c-232a-6b00-f3c8-9f6bdeced846',
      InvalidUuidError,
      'expected the RFC 9562 variant 10, got the reserved variant 111',
    ],
    ['1ec9414c-232a-9b00-b3c8-9f6bdeced846', InvalidUuidError, 'UUID version 9 is not defined by RFC 9562'],
    [
      '1ec9414c232a6b00b3c89f6bdeced846',
      InvalidUuidError,
      'expected a 36-character UUID (8-4-4-4-12 hex digits), got 32 characters',
    ],
    ['', InvalidUuidError, 'expected a 36-character UUID (8-4-4-4-12 hex digits), got 0 characters: ""'],
    [
      '1ec9414c-232a-6b00-b3c8-9f6bdeced84g',
      InvalidUuidError,
      'expected a hex digit at position 35 of a UUID, got "g"',
    ],
    [
      '1ec9414c_232a-6b00-b3c8-9f6bdeced846',
      InvalidUuidError,
      `expected '-' at position 8 of a UUID, got "_"`,
    ],
    [
      '{1ec9414c-232a-6b00-b3c8-9f6bdeced8}',
      InvalidUuidError,
      'expected a hex digit at position 0 of a UUID, got "{"',
    ],
    [' 1ec9414c-232a-6b00-b3c8-9f6bdeced846', InvalidUuidError, 'got 37 characters'],
    ['1ec9414c-232a-6b00-b3c8-9f6bdeced84\u0966', InvalidUuidError, 'expected a hex digit at position 35'],
    [42, InvalidUuidError, 'expected a UUID string, got number'],
    [null, InvalidUuidError, 'expected a UUID string, got null'],
    [undefined, InvalidUuidError, 'expected a UUID string, got undefined'],
    [[V6], InvalidUuidError, 'expected a UUID string, got array'],
    [uuidToBytes(V6), InvalidUuidError, 'expected a UUID string, got object'],
  ];
  for (const [value, type, message] of cases) {
    it(`${JSON.stringify(value)?.slice(0, 48) ?? String(value)} -> ${type.name}: ${message.slice(0, 50)}`, () => {
      expect(() => parseUuidV6(value as string)).toThrow(type);
      expect(() => parseUuidV6(value as string)).toThrow(message);
    });
  }

  it('quotes long inputs only partly', () => {
    expect(() => parseUuidV6('x'.repeat(10_000))).toThrow(/got 10000 characters: "x{64}\.\.\."$/);
  });
});

describe('other codecs name their errors too', () => {
  it('uuidVersion accepts nil and max but not undefined versions or other variants', () => {
    expect(uuidVersion(NIL)).toBe(0);
    expect(uuidVersion(MAX.toUpperCase())).toBe(15);
    expect(() => uuidVersion('1ec9414c-232a-0b00-b3c8-9f6bdeced846')).toThrow(
      'UUID version 0 is not defined by RFC 9562',
    );
    expect(() => uuidVersion('1ec9414c-232a-6b00-c3c8-9f6bdeced846')).toThrow(InvalidUuidError);
  });

  it('uuidV1ToV6 / uuidV6ToV1 check the input version', () => {
    expect(() => uuidV1ToV6(V6)).toThrow(
      new UuidVersionError(1, 6, `expected a UUIDv1, got version 6: "${V6}"`),
    );
    expect(() => uuidV6ToV1(V1)).toThrow(`expected a UUIDv6, got version 1: "${V1}"`);
    expect(() => uuidV1ToV6(V4)).toThrow(UuidVersionError);
  });

  it('uuidToBytes accepts any hex UUID, but not malformed ones', () => {
    expect(uuidToBytes('1ec9414c-232a-0b00-73c8-9f6bdeced846')).toHaveLength(16);
    expect(() => uuidToBytes('nope')).toThrow(InvalidUuidError);
  });

  it('uuidFromBytes wants a Uint8Array of 16 bytes', () => {
    expect(() => uuidFromBytes(new Uint8Array(15))).toThrow('expected 16 bytes, got 15');
    expect(() => uuidFromBytes([1, 2, 3] as unknown as Uint8Array)).toThrow(
      'expected a Uint8Array of 16 bytes, got array',
    );
    expect(() => uuidFromBytes(V6 as unknown as Uint8Array)).toThrow(InvalidUuidError);
    expect(uuidFromBytes(Buffer.from(uuidToBytes(V6)))).toBe(V6);
    expect(uuidFromBytes(runInNewContext('new Uint8Array(16)'))).toBe(NIL);
  });

  it('compareUuids validates both sides', () => {
    expect(compareUuids(V6, V6.toUpperCase())).toBe(0);
    expect(() => compareUuids(V6, 'x')).toThrow(InvalidUuidError);
    expect(() => compareUuids(1 as unknown as string, V6)).toThrow('expected a UUID string, got number');
  });
});

describe('uuidv6At instant validation', () => {
  it('accepts the whole Gregorian range, before 1970 included', () => {
    expect(uuidv6At(Date.UTC(1582, 9, 15)).slice(0, 18)).toBe('00000000-0000-6000');
    expect(uuidv6At(0).slice(0, 18)).toBe('1b21dd21-3814-6000');
    expect(uuidv6At(runInNewContext('new Date(0)')).slice(0, 18)).toBe('1b21dd21-3814-6000');
    // one millisecond (10,000 ticks = 0x2710) before the Unix epoch
    expect(uuidv6At(new Date(Date.UTC(1969, 11, 31, 23, 59, 59, 999))).slice(0, 18)).toBe(
      '1b21dd21-3811-68f0',
    );
    expect(uuidv6At(103_072_857_660_684, 6975).slice(0, 18)).toBe('ffffffff-ffff-6fff');
  });

  const cases: [unknown, unknown, string][] = [
    [
      Date.UTC(1582, 9, 14, 23, 59, 59, 999),
      0,
      'instant 1582-10-14T23:59:59.999Z is before the Gregorian epoch 1582-10-15T00:00:00.000Z',
    ],
    [new Date(-8.64e15), 0, 'is before the Gregorian epoch'],
    [103_072_857_660_685, 0, 'instant 5236-03-31T21:21:00.685Z is beyond the 60-bit UUIDv6 timestamp'],
    [103_072_857_660_684, 6976, 'instant plus 6976 ticks is beyond the 60-bit UUIDv6 timestamp'],
    [1e300, 0, 'instant 1e+300 ms is beyond the 60-bit UUIDv6 timestamp'],
    [new Date(Number.NaN), 0, 'expected a valid Date, got an Invalid Date'],
    [runInNewContext('new Date(NaN)'), 0, 'expected a valid Date, got an Invalid Date'],
    [Number.NaN, 0, 'expected an integer number of Unix milliseconds, got NaN'],
    [1.5, 0, 'expected an integer number of Unix milliseconds, got 1.5'],
    ['2024-01-01', 0, 'expected a Date or Unix milliseconds, got string'],
    [null, 0, 'expected a Date or Unix milliseconds, got null'],
    // a spoofed type tag or a proxy of a Date is not a Date (issue 13: no code of the value's own runs)
    [{ [Symbol.toStringTag]: 'Date' }, 0, 'expected a Date or Unix milliseconds, got object'],
    [new Proxy(new Date(0), {}), 0, 'expected a Date or Unix milliseconds, got object'],
    [Symbol('now'), 0, 'expected a Date or Unix milliseconds, got symbol'],
    [0, Symbol('ticks'), 'expected ticks100ns to be an integer from 0 to 9999, got symbol'],
    [0, 10_000, 'expected ticks100ns to be an integer from 0 to 9999, got 10000'],
    [0, -1, 'got -1'],
    [0, 0.5, 'got 0.5'],
    [0, '1', 'expected ticks100ns to be an integer from 0 to 9999, got string'],
  ];
  for (const [instant, ticks, message] of cases) {
    it(`rejects ${show(instant)} + ${show(ticks)}: ${message.slice(0, 60)}`, () => {
      expect(() => uuidv6At(instant as number, ticks as number)).toThrow(InvalidInstantError);
      expect(() => uuidv6At(instant as number, ticks as number)).toThrow(message);
    });
  }
});

describe('nonsense arguments give named errors, never a TypeError (issue 13, item 20)', () => {
  const cases: [string, () => unknown, abstract new (...args: never[]) => IdError, string][] = [
    [
      'slug(Symbol())',
      () => slug(Symbol() as never),
      InvalidSlugError,
      'slug length must be an integer from 1 to 256, got symbol',
    ],
    [
      'slug({ valueOf: () => 12 })',
      () => slug({ valueOf: () => 12 } as never),
      InvalidSlugError,
      'got object',
    ],
    [
      "parseSlug('abc', Symbol())",
      () => parseSlug('abc', Symbol() as never),
      InvalidSlugError,
      'slug length must be an integer from 1 to 256, got symbol',
    ],
    [
      "parseSlug('', 0)",
      () => parseSlug('', 0),
      InvalidSlugError,
      'slug length must be an integer from 1 to 256, got 0',
    ],
    ['parseSlug(257 characters, 257)', () => parseSlug('a'.repeat(257), 257), InvalidSlugError, 'got 257'],
    [
      "defineIdKind('X', null)",
      () => defineIdKind('X', null as never),
      InvalidIdKindError,
      'expected the options of kind X as an object, got null',
    ],
    [
      "defineIdKind('X', { slugLength: Object.create(null) })",
      () => defineIdKind('X', { slugLength: Object.create(null) }),
      InvalidSlugError,
      'slugLength must be an integer from 1 to 256, got object',
    ],
    [
      "defineIdKind('X', { slugLength: null })",
      () => defineIdKind('X', { slugLength: null as never }),
      InvalidSlugError,
      'got null',
    ],
    [
      'defineIdKind(Symbol())',
      () => defineIdKind(Symbol() as never),
      InvalidIdKindError,
      "expected the kind's name as a non-empty string, got symbol",
    ],
    ["defineIdKind('')", () => defineIdKind(''), InvalidIdKindError, 'got an empty string'],
    [
      'defineIdKind with a throwing slugLength getter',
      () =>
        defineIdKind('X', {
          get slugLength(): number {
            throw new RangeError('boom');
          },
        }),
      InvalidIdKindError,
      'could not read options.slugLength of kind X',
    ],
    [
      'uuidFromBytes of an object whose type tag claims Uint8Array',
      () => uuidFromBytes({ [Symbol.toStringTag]: 'Uint8Array', length: 16, 0: 4096 } as never),
      InvalidUuidError,
      'expected a Uint8Array of 16 bytes, got object',
    ],
    [
      'uuidFromBytes of a proxy of a Uint8Array',
      () => uuidFromBytes(new Proxy(new Uint8Array(16), {})),
      InvalidUuidError,
      'got object',
    ],
    [
      'uuidFromBytes of 2 bytes claiming a length of 16',
      () => uuidFromBytes(Object.defineProperty(new Uint8Array(2), 'length', { value: 16 })),
      InvalidUuidError,
      'expected 16 bytes, got 2',
    ],
    [
      'uuidFromBytes of a revoked proxy',
      () => uuidFromBytes(revoked() as never),
      InvalidUuidError,
      'got object',
    ],
    [
      'parseUuidV6 of a revoked proxy',
      () => parseUuidV6(revoked() as never),
      InvalidUuidError,
      'expected a UUID string, got object',
    ],
    [
      'uuidv6Batch of a revoked proxy',
      () => uuidv6Batch(revoked() as never),
      InvalidInstantError,
      'got a revoked proxy',
    ],
    [
      'uuidv6Batch of an array whose getter throws',
      () =>
        uuidv6Batch(
          Object.defineProperty([0, 1], 1, {
            get: () => {
              throw new RangeError('boom');
            },
          }),
        ),
      InvalidInstantError,
      'could not read instants[1]',
    ],
    [
      'uuidv6Batch of new Array(2 ** 32 - 1)',
      () => uuidv6Batch(new Array(2 ** 32 - 1)),
      InvalidInstantError,
      'instants[0]: expected a Date or Unix milliseconds, got undefined',
    ],
  ];
  for (const [label, run, type, message] of cases) {
    it(`${label} -> ${type.name}`, () => {
      expect(run).toThrow(type);
      expect(run).toThrow(message);
    });
  }

  it('keeps what a throwing getter threw as the cause', () => {
    const boom = new RangeError('boom');
    let error: unknown;
    try {
      defineIdKind('X', {
        get slugLength(): number {
          throw boom;
        },
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidIdKindError);
    expect((error as Error).cause).toBe(boom);
  });

  it('error constructors describe a message that is not a string instead of throwing', () => {
    expect(new InvalidUuidError(Symbol('x') as never).message).toBe('Symbol(x)');
    expect(new InvalidSlugError(Object.create(null)).message).toBe('object');
    expect(new InvalidInstantError(undefined).message).toBe('');
    expect(new UuidVersionError(Symbol('v') as never, Object.create(null)).message).toBe(
      'expected a UUIDvsymbol, got version object',
    );
    expect(new InvalidUuidError('m', { cause: 1 }).cause).toBe(1);
    expect(new InvalidUuidError('m', revoked() as never).cause).toBeUndefined();
  });

  it('isSlug is false, not an error, for lengths outside 1..256', () => {
    expect(isSlug('', 0)).toBe(false);
    expect(isSlug('a'.repeat(257), 257)).toBe(false);
    expect(isSlug('abc', Symbol() as never)).toBe(false);
    expect(isSlug('a'.repeat(256), 256)).toBe(true);
  });
});

function revoked(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** A test title for any value (String() throws for a proxy of a Date). */
function show(value: unknown): string {
  try {
    return String(value);
  } catch {
    return typeof value;
  }
}
