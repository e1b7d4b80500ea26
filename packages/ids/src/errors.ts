import { describeNumber, describeType } from './describe.js';

/**
 * Base class of every error thrown by `@org/ids`. Catch this to handle any malformed id or instant; switch on
 * `code` (stable across releases) rather than on messages.
 *
 * @example
 * try {
 *   parseUuidV6(input);
 * } catch (error) {
 *   if (error instanceof IdError) reply.status(400).send({ code: error.code, message: error.message });
 *   else throw error;
 * }
 */
export abstract class IdError extends Error {
  abstract readonly code: string;

  /** The class name, spelled out in each subclass because minifiers rename classes. */
  abstract override readonly name: string;

  // An error constructor must not throw while reporting a problem: a message that is not a string (a symbol,
  // an object without a prototype) is described instead of converted, and `options` is read defensively.
  constructor(message?: string, options?: ErrorOptions) {
    super(typeof message === 'string' ? message : messageOf(message), causeOf(options));
  }
}

function messageOf(value: unknown): string {
  if (value === undefined) return '';
  const type = typeof value;
  if (type === 'number' || type === 'boolean' || type === 'bigint' || type === 'symbol') return String(value);
  return describeType(value);
}

function causeOf(options: unknown): ErrorOptions | undefined {
  if (typeof options !== 'object' || options === null) return undefined;
  try {
    return 'cause' in options ? { cause: options.cause } : undefined;
  } catch {
    return undefined; // a proxy whose trap throws
  }
}

/**
 * A value is not a UUID at all: not a string, wrong length, a non-hex character, a misplaced dash, a variant
 * other than RFC 9562's `10`, or a byte array that is not 16 bytes long.
 *
 * @example
 * parseUuidV6('not-a-uuid'); // throws InvalidUuidError (code 'INVALID_UUID')
 */
export class InvalidUuidError extends IdError {
  override readonly name = 'InvalidUuidError';
  readonly code = 'INVALID_UUID';
}

/**
 * A well-formed UUID of the wrong version, e.g. a v4 where a v6 is required.
 *
 * @example
 * try {
 *   parseUuidV6('9b2c6d7e-1f3a-4b5c-8d9e-0f1a2b3c4d5e');
 * } catch (error) {
 *   if (error instanceof UuidVersionError) console.log(error.expected, error.actual); // 6 4
 * }
 */
export class UuidVersionError extends IdError {
  override readonly name = 'UuidVersionError';
  readonly code = 'UUID_VERSION';
  readonly expected: number;
  readonly actual: number;

  constructor(
    expected: number,
    actual: number,
    message = `expected a UUIDv${describeNumber(expected)}, got version ${describeNumber(actual)}`,
  ) {
    super(message);
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * A value is not a Base62 slug of the expected length, or a slug length outside the supported range was asked.
 *
 * @example
 * parseSlug('abc-def'); // throws InvalidSlugError (code 'INVALID_SLUG')
 */
export class InvalidSlugError extends IdError {
  override readonly name = 'InvalidSlugError';
  readonly code = 'INVALID_SLUG';
}

/**
 * An instant that a UUIDv6 cannot encode: not a finite integer number of milliseconds, an invalid `Date`,
 * before the Gregorian epoch (1582-10-15) or beyond the 60-bit timestamp (year 5236), or a 100-ns remainder
 * outside 0..9999.
 *
 * @example
 * uuidv6At(new Date('1500-01-01')); // throws InvalidInstantError (code 'INVALID_INSTANT')
 */
export class InvalidInstantError extends IdError {
  override readonly name = 'InvalidInstantError';
  readonly code = 'INVALID_INSTANT';
}

/**
 * `defineIdKind` was given a name that is not a non-empty string, or options that are not an object. (A slug
 * length outside 1..256 is an InvalidSlugError, like everywhere else.)
 *
 * @example
 * defineIdKind('User', null); // throws InvalidIdKindError (code 'INVALID_ID_KIND')
 */
export class InvalidIdKindError extends IdError {
  override readonly name = 'InvalidIdKindError';
  readonly code = 'INVALID_ID_KIND';
}
