import { describeType } from './describe.js';
import { InvalidInstantError } from './errors.js';

/** Milliseconds from the Gregorian epoch (1582-10-15T00:00:00Z) to the Unix epoch (RFC 9562 s5.1). */
export const GREGORIAN_OFFSET_MS = 12_219_292_800_000;
/** 100-ns ticks per millisecond. */
export const TICKS_PER_MS = 10_000;
/** 2^28: ticks are kept as `hi * 2^28 + lo` so that no step needs more than 53 bits (no BigInt). */
export const LO_RANGE = 268_435_456;
/** `hi` is the top 32 of the 60 timestamp bits: at 2^32 the timestamp overflows (year 5236). */
export const HI_RANGE = 4_294_967_296;
/** Earliest encodable Unix ms: the Gregorian epoch. */
export const MIN_UNIX_MS = -GREGORIAN_OFFSET_MS;
/** Latest Unix ms whose first tick fits in 60 bits (5236-03-31T21:21:00.684Z). */
export const MAX_UNIX_MS = 103_072_857_660_684;

/**
 * Splits the 60-bit tick count of `unixMs` + `sub` into `[hi, lo]` (hi = top 32 bits, lo = low 28 bits).
 * Callers validate `unixMs` (integer in range) and `sub` (integer 0..9999) first.
 */
export function splitTicks(unixMs: number, sub: number): [hi: number, lo: number] {
  const gregorianMs = unixMs + GREGORIAN_OFFSET_MS;
  const q = Math.floor(gregorianMs / LO_RANGE);
  const low = (gregorianMs - q * LO_RANGE) * TICKS_PER_MS + sub;
  const carry = Math.floor(low / LO_RANGE);
  return [q * TICKS_PER_MS + carry, low - carry * LO_RANGE];
}

/** Validates an instant (`Date` or Unix ms) and returns its Unix ms; throws InvalidInstantError. */
export function toUnixMs(instant: unknown): number {
  let ms: number;
  if (typeof instant === 'number') {
    if (!Number.isInteger(instant)) {
      throw new InvalidInstantError(`expected an integer number of Unix milliseconds, got ${instant}`);
    }
    ms = instant;
  } else {
    ms = dateTime(instant);
    if (Number.isNaN(ms)) throw new InvalidInstantError('expected a valid Date, got an Invalid Date');
  }
  if (ms < MIN_UNIX_MS) {
    throw new InvalidInstantError(
      `instant ${describeMs(ms)} is before the Gregorian epoch 1582-10-15T00:00:00.000Z, the earliest UUIDv6 timestamp`,
    );
  }
  if (ms > MAX_UNIX_MS) {
    throw new InvalidInstantError(
      `instant ${describeMs(ms)} is beyond the 60-bit UUIDv6 timestamp (latest 5236-03-31T21:21:00.684Z)`,
    );
  }
  return ms;
}

/** Validates the 100-ns remainder within a millisecond. */
export function toSubMs(ticks100ns: unknown): number {
  if (
    typeof ticks100ns !== 'number' ||
    !Number.isInteger(ticks100ns) ||
    ticks100ns < 0 ||
    ticks100ns > 9999
  ) {
    throw new InvalidInstantError(
      `expected ticks100ns to be an integer from 0 to 9999, got ${typeof ticks100ns === 'number' ? ticks100ns : typeof ticks100ns}`,
    );
  }
  return ticks100ns;
}

const getTime = Date.prototype.getTime;

/**
 * The time value of a Date. `Date.prototype.getTime` reads the internal slot: it accepts a Date from another
 * realm (vm context, test environment) and refuses a proxy or an object posing as a Date, without running
 * any code of the argument's own (no `instanceof` through a proxy's trap, no spoofed `Symbol.toStringTag`).
 */
function dateTime(value: unknown): number {
  if (typeof value === 'object' && value !== null) {
    try {
      return getTime.call(value);
    } catch {
      // not a Date: reported below like any other type
    }
  }
  throw new InvalidInstantError(`expected a Date or Unix milliseconds, got ${describeType(value)}`);
}

function describeMs(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? `${ms} ms` : date.toISOString();
}
