import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
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
  isUuidV6,
  parseSlug,
  parseUuidV6,
  SlugSchema,
  slug,
  UuidV6Schema,
  UuidVersionError,
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

// Issue 13, item 20: every public function, called with any values at all (symbols, proxies, revoked or
// throwing proxies, spoofed type tags, null-prototype objects, getters and valueOf that throw, values of
// another realm...), either returns well-formed output or throws one of this package's named errors.

const RUNS = 600;

const CLASS_OF_CODE = new Map<string, abstract new (...args: never[]) => IdError>([
  ['INVALID_UUID', InvalidUuidError],
  ['UUID_VERSION', UuidVersionError],
  ['INVALID_SLUG', InvalidSlugError],
  ['INVALID_INSTANT', InvalidInstantError],
  ['INVALID_ID_KIND', InvalidIdKindError],
]);

/** A named error of this package: the exact class its code stands for, with a message. No trap can fool it. */
function isNamedIdError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !(error instanceof IdError)) return false;
  const type = CLASS_OF_CODE.get(error.code);
  return (
    type !== undefined &&
    Object.getPrototypeOf(error) === type.prototype &&
    error.name === type.name &&
    typeof error.message === 'string' &&
    error.message.length > 0
  );
}

/** Describes a thrown value without running any of its code. */
function describeThrown(error: unknown): string {
  if (error instanceof Error && !(error instanceof IdError)) {
    return `${Object.getPrototypeOf(error)?.constructor?.name}: ${error.message}`;
  }
  return `a ${typeof error} that is not a named IdError`;
}

type Outcome = { threw: false; value: unknown } | { threw: true };

/** Calls `fn`; anything thrown must be a named IdError. */
function call(fn: () => unknown): Outcome {
  try {
    return { threw: false, value: fn() };
  } catch (error) {
    if (!isNamedIdError(error)) throw new Error(`threw ${describeThrown(error)}`);
    return { threw: true };
  }
}

/** An argument for a property: built fresh in each run, so fast-check never touches a hostile value. */
class Arg {
  constructor(
    readonly label: string,
    readonly make: () => unknown,
  ) {}

  [fc.toStringMethod](): string {
    return this.label;
  }
}

const arg = (label: string, make: () => unknown) => new Arg(label, make);
const plain = <T>(arbitrary: fc.Arbitrary<T>) =>
  arbitrary.map((value) => arg(fc.stringify(value), () => value));

const throwingHandler: ProxyHandler<object> = Object.fromEntries(
  [
    'get',
    'set',
    'has',
    'ownKeys',
    'getPrototypeOf',
    'setPrototypeOf',
    'getOwnPropertyDescriptor',
    'defineProperty',
    'deleteProperty',
    'isExtensible',
    'preventExtensions',
    'apply',
    'construct',
  ].map((trap) => [
    trap,
    () => {
      throw new Error(`trap ${trap}`);
    },
  ]),
);

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

function thrower(): never {
  throw new Error('user code ran');
}

const V6 = '1ec9414c-232a-6b00-b3c8-9f6bdeced846';

const unixMs = fc.integer({ min: -12_219_292_800_000, max: 103_072_857_660_684 });
const v6 = fc
  .tuple(unixMs, fc.integer({ min: 0, max: 6975 }))
  .map(([ms, ticks]) => uuidv6At(ms, ticks) as string);
const bytes16 = fc.uint8Array({ minLength: 16, maxLength: 16 });

/** Values a caller might reasonably pass, so that the success paths are exercised and checked too. */
const plausible = fc.oneof(
  plain(fc.oneof(v6, fc.mixedCase(v6), fc.uuid(), fc.constantFrom(V6.toUpperCase(), '', V6.slice(1)))),
  plain(fc.constantFrom('00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff')),
  plain(fc.integer({ min: -2, max: 300 })),
  plain(fc.integer({ min: 0, max: 9999 })),
  plain(unixMs),
  plain(fc.date({ noInvalidDate: false })),
  plain(bytes16),
  plain(bytes16.map((bytes) => Buffer.from(bytes))),
  plain(fc.array(fc.oneof(unixMs, fc.date()), { maxLength: 5 })),
  plain(fc.stringMatching(/^[0-9A-Za-z]{0,20}$/)),
  plain(fc.record({ slugLength: fc.integer({ min: 0, max: 300 }) }, { requiredKeys: [] })),
  plain(fc.constantFrom('User', 'Profile')),
);

/** Values that crash code which converts, compares or inspects before checking the type. */
const hostile = fc.oneof(
  fc.string({ maxLength: 5 }).map((description) => arg('Symbol()', () => Symbol(description))),
  fc.constantFrom(Symbol.iterator, Symbol.toPrimitive).map((symbol) => arg(String(symbol), () => symbol)),
  fc.constant(arg('Object.create(null)', () => Object.create(null))),
  fc.constant(
    arg('{ slugLength: Object.create(null) }', () => ({ slugLength: Object.create(null) as unknown })),
  ),
  fc.constant(arg('{ slugLength: Symbol() }', () => ({ slugLength: Symbol('length') }))),
  fc.constant(
    arg('{ get slugLength() { throw } }', () => ({
      get slugLength(): number {
        return thrower();
      },
    })),
  ),
  fc
    .tuple(fc.constantFrom('Uint8Array', 'Date', 'Array', 'String'), fc.integer({ min: 0, max: 100_000 }))
    .map(([tag, element]) =>
      arg(`{ [Symbol.toStringTag]: '${tag}', length: 16, 0..15: ${element} }`, () => {
        const fake: Record<PropertyKey, unknown> = { [Symbol.toStringTag]: tag, length: 16 };
        for (let i = 0; i < 16; i++) fake[i] = element;
        return fake;
      }),
    ),
  fc
    .constantFrom<[string, () => object]>(
      ['Uint8Array(16)', () => new Uint8Array(16)],
      ['Date', () => new Date(0)],
      ['[0, 1]', () => [0, 1]],
      ['{ slugLength: 12 }', () => ({ slugLength: 12 })],
    )
    .chain(([label, target]) =>
      fc.constantFrom(
        arg(`new Proxy(${label}, {})`, () => new Proxy(target(), {})),
        arg(`new Proxy(${label}, throwing traps)`, () => new Proxy(target(), throwingHandler)),
      ),
    ),
  fc.constant(arg('revoked proxy', revokedProxy)),
  fc.constant(
    arg('object whose valueOf, toString and toPrimitive throw', () => ({
      valueOf: thrower,
      toString: thrower,
      [Symbol.toPrimitive]: thrower,
    })),
  ),
  fc.constant(arg('{ valueOf: () => 12 }', () => ({ valueOf: () => 12 }))),
  fc.constant(arg('{ toString: () => V6 }', () => ({ toString: () => V6 }))),
  fc.constant(arg('new Number(12)', () => new Number(12))),
  fc.constant(arg('new String(V6)', () => new String(V6))),
  fc.constant(arg('12n', () => 12n)),
  fc.constant(arg('() => 12', () => () => 12)),
  fc.constant(
    arg('array with a throwing getter', () => {
      const array = [0];
      Object.defineProperty(array, 0, { get: thrower });
      return array;
    }),
  ),
  fc.constant(
    arg('array whose getter throws a revoked proxy', () => {
      const array = [0];
      Object.defineProperty(array, 0, {
        get() {
          throw revokedProxy();
        },
      });
      return array;
    }),
  ),
  fc.constant(arg('new Array(2 ** 32 - 1)', () => new Array(2 ** 32 - 1))),
  fc.constant(
    arg('Uint8Array(2) with an own length of 16', () =>
      Object.defineProperty(new Uint8Array(2), 'length', { value: 16 }),
    ),
  ),
  fc
    .constantFrom<[string, () => unknown]>(
      ['Uint16Array(16)', () => new Uint16Array(16).fill(4000)],
      ['Uint8ClampedArray(16)', () => new Uint8ClampedArray(16)],
      ['ArrayBuffer(16)', () => new ArrayBuffer(16)],
      ['DataView(16)', () => new DataView(new ArrayBuffer(16))],
      [
        'detached Uint8Array(16)',
        () => {
          const buffer = new ArrayBuffer(16);
          const bytes = new Uint8Array(buffer);
          buffer.transfer();
          return bytes;
        },
      ],
      ['other realm Uint8Array(16)', () => runInNewContext('new Uint8Array(16).fill(171)')],
      ['other realm Date', () => runInNewContext('new Date(0)')],
      ['other realm array of instants', () => runInNewContext('[0, new Date(1)]')],
      ['other realm { slugLength: 8 }', () => runInNewContext('({ slugLength: 8 })')],
    )
    .map(([label, make]) => arg(label, make)),
);

const anything = plain(
  fc.anything({
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withSparseArray: true,
    withTypedArray: true,
    stringUnit: 'binary',
    maxDepth: 2,
  }),
);

const any = fc.oneof(
  { arbitrary: plausible, weight: 3 },
  { arbitrary: hostile, weight: 3 },
  { arbitrary: anything, weight: 2 },
  { arbitrary: fc.constant(arg('undefined', () => undefined)), weight: 1 },
);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const V1 = /^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const BASE62 = /^[0-9A-Za-z]{1,256}$/;

function expectV6(value: unknown): void {
  expect(isUuidV6(value) && UUID.test(value as string)).toBe(true);
}

function expectSlug(value: unknown, length: unknown): void {
  expect(typeof value === 'string' && BASE62.test(value) && value.length === length).toBe(true);
}

/** Each public function with a check of what it returns when it does not throw. */
type Check = (args: unknown[], result: unknown) => void;
const functions: [string, (...args: unknown[]) => unknown, Check][] = [
  [
    'uuidv6',
    (...args) => (uuidv6 as (...args: unknown[]) => unknown)(...args),
    (_, id) => {
      expectV6(id);
      expect((id as string) < uuidv6()).toBe(true);
    },
  ],
  [
    'uuidv6At',
    (a, b) => uuidv6At(a as number, b as number),
    ([a], id) => {
      expectV6(id);
      const ms = typeof a === 'number' ? a : (a as Date).getTime();
      expect(uuidV6Date(id as string).getTime()).toBe(ms);
    },
  ],
  [
    'uuidv6Batch',
    (a) => uuidv6Batch(a as number[]),
    ([a], ids) => {
      expect(Array.isArray(ids) && (ids as unknown[]).length === (a as unknown[]).length).toBe(true);
      for (const id of ids as unknown[]) expectV6(id);
    },
  ],
  ['slug', (a) => slug(a as number), ([a], s) => expectSlug(s, a ?? 12)],
  [
    'parseSlug',
    (a, b) => parseSlug(a as string, b as number),
    ([a, b], s) => {
      expect(s).toBe(a);
      expectSlug(s, b ?? 12);
    },
  ],
  [
    'isSlug',
    (a, b) => isSlug(a, b as number),
    ([a, b], yes) => {
      expect(typeof yes).toBe('boolean');
      if (yes) expectSlug(a, b ?? 12);
    },
  ],
  [
    'parseUuidV6',
    (a) => parseUuidV6(a as string),
    ([a], id) => {
      expectV6(id);
      expect(id).toBe((a as string).toLowerCase());
    },
  ],
  [
    'isUuidV6',
    (a) => isUuidV6(a),
    ([a], yes) => {
      expect(typeof yes).toBe('boolean');
      if (yes) expectV6(a);
    },
  ],
  [
    'uuidToBytes',
    (a) => uuidToBytes(a as string),
    ([a], bytes) => {
      expect(bytes).toBeInstanceOf(Uint8Array);
      expect(uuidFromBytes(bytes as Uint8Array)).toBe((a as string).toLowerCase());
    },
  ],
  [
    'uuidFromBytes',
    (a) => uuidFromBytes(a as Uint8Array),
    ([a], text) => {
      expect(UUID.test(text as string)).toBe(true);
      expect([...uuidToBytes(text as string)]).toEqual([...(a as Uint8Array)]);
    },
  ],
  [
    'uuidVersion',
    (a) => uuidVersion(a as string),
    (_, v) => expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 15]).toContain(v),
  ],
  [
    'uuidV6Ticks',
    (a) => uuidV6Ticks(a as string),
    (_, ticks) => expect(typeof ticks === 'bigint' && ticks >= 0n && ticks < 2n ** 60n).toBe(true),
  ],
  [
    'uuidV6Date',
    (a) => uuidV6Date(a as string),
    (_, date) => expect(Number.isInteger((date as Date).getTime())).toBe(true),
  ],
  [
    'compareUuids',
    (a, b) => compareUuids(a as string, b as string),
    (_, c) => expect([-1, 0, 1]).toContain(c),
  ],
  ['uuidV1ToV6', (a) => uuidV1ToV6(a as string), (_, id) => expectV6(id)],
  ['uuidV6ToV1', (a) => uuidV6ToV1(a as string), (_, id) => expect(V1.test(id as string)).toBe(true)],
  [
    'UuidV6Schema.safeParse',
    (a) => UuidV6Schema.safeParse(a),
    (_, result) => {
      const { success, data } = result as { success: boolean; data?: unknown };
      if (success) expectV6(data);
    },
  ],
  [
    'SlugSchema.safeParse',
    (a) => SlugSchema.safeParse(a),
    (_, result) => {
      const { success, data } = result as { success: boolean; data?: unknown };
      if (success) expectSlug(data, 12);
    },
  ],
  ...(
    [
      ['new InvalidUuidError', (a, b) => new InvalidUuidError(a as string, b as ErrorOptions)],
      ['new InvalidSlugError', (a, b) => new InvalidSlugError(a as string, b as ErrorOptions)],
      ['new InvalidInstantError', (a, b) => new InvalidInstantError(a as string, b as ErrorOptions)],
      ['new InvalidIdKindError', (a, b) => new InvalidIdKindError(a as string, b as ErrorOptions)],
      ['new UuidVersionError', (a, b, c) => new UuidVersionError(a as number, b as number, c as string)],
    ] as [string, (...args: unknown[]) => unknown][]
  ).map(([name, construct]): [string, (...args: unknown[]) => unknown, Check] => [
    name,
    construct,
    // constructing an error never throws: whatever the message was, the error is named and printable
    (_, error) => {
      expect(error).toBeInstanceOf(IdError);
      expect(typeof (error as IdError).message).toBe('string');
      expect(String(error).startsWith((error as IdError).name)).toBe(true);
    },
  ]),
];

/** Every function an IdKind has, called on a kind made from arbitrary arguments. */
const kindMethods: [string, (kind: ReturnType<typeof defineIdKind>, a: unknown, b: unknown) => unknown][] = [
  ['newId', (kind) => kind.newId()],
  ['newIdAt', (kind, a, b) => kind.newIdAt(a as number, b as number)],
  ['newIdBatch', (kind, a) => kind.newIdBatch(a as number[])],
  ['newSlug', (kind) => kind.newSlug()],
  ['parseId', (kind, a) => kind.parseId(a as string)],
  ['parseSlug', (kind, a) => kind.parseSlug(a as string)],
  ['isId', (kind, a) => kind.isId(a)],
  ['isSlug', (kind, a) => kind.isSlug(a)],
  ['idSchema.safeParse', (kind, a) => kind.idSchema.safeParse(a)],
  ['slugSchema.safeParse', (kind, a) => kind.slugSchema.safeParse(a)],
];

describe('any arguments to any public function: well-formed output or a named IdError (issue 13)', () => {
  for (const [name, fn, check] of functions) {
    it(name, () => {
      fc.assert(
        fc.property(any, any, any, (a, b, c) => {
          const args = [a.make(), b.make(), c.make()];
          const outcome = call(() => fn(...args));
          if (!outcome.threw) check(args, outcome.value);
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('defineIdKind, and every function of the kind it returns', () => {
    fc.assert(
      fc.property(any, any, any, any, (name, options, a, b) => {
        const [nameValue, optionsValue] = [name.make(), options.make()];
        const outcome = call(() => defineIdKind(nameValue as string, optionsValue as object));
        if (outcome.threw) return;
        const kind = outcome.value as ReturnType<typeof defineIdKind>;
        expect(kind.name).toBe(nameValue);
        expect(Number.isInteger(kind.slugLength) && kind.slugLength >= 1 && kind.slugLength <= 256).toBe(
          true,
        );
        for (const [, method] of kindMethods) {
          const result = call(() => method(kind, a.make(), b.make()));
          if (!result.threw && typeof result.value === 'string') {
            expect(isUuidV6(result.value) || isSlug(result.value, kind.slugLength)).toBe(true);
          }
        }
        expectSlug(kind.newSlug(), kind.slugLength);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('the arguments above do reach the old bugs (a check that cannot fail proves nothing)', () => {
  const fails = (fn: (a: unknown, b: unknown) => unknown, check: Check = () => {}) =>
    fc.check(
      fc.property(any, any, (a, b) => {
        const args = [a.make(), b.make()];
        const outcome = call(() => fn(args[0], args[1]));
        if (!outcome.threw) check(args, outcome.value);
      }),
      { numRuns: 2_000 },
    ).failed;

  it('a length check that compares before checking the type is caught (TypeError on a symbol)', () => {
    const oldSlug = (length: unknown) => {
      if (!((length as number) >= 1 && (length as number) <= 256)) {
        throw new InvalidSlugError(`slug length must be an integer from 1 to 256, got ${length}`);
      }
      return slug(length as number);
    };
    expect(fails(oldSlug)).toBe(true);
  });

  it('a type check by Symbol.toStringTag is caught (a spoofed Uint8Array gives NUL characters)', () => {
    const hex = new Uint8Array([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);
    const oldFromBytes = (bytes: unknown) => {
      if (Object.prototype.toString.call(bytes) !== '[object Uint8Array]') throw new InvalidUuidError('no');
      const view = bytes as Uint8Array;
      if (view.length !== 16) throw new InvalidUuidError('no');
      const codes: number[] = [];
      for (let i = 0; i < 16; i++) codes.push(hex[view[i]! >>> 4]!, hex[view[i]! & 15]!);
      return String.fromCharCode(...codes);
    };
    expect(fails(oldFromBytes, (_, text) => expect(text).toMatch(/^[0-9a-f]{32}$/))).toBe(true);
  });

  it('options read without a type check are caught (defineIdKind(name, null))', () => {
    const oldDefine = (name: unknown, options: unknown) =>
      defineIdKind(name as string, { slugLength: (options as { slugLength?: number }).slugLength ?? 12 });
    expect(fails(oldDefine)).toBe(true);
  });
});
