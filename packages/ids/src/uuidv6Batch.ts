import type { UuidV6 } from './brand.js';
import { describeNumber, describeType } from './describe.js';
import { type IdError, InvalidInstantError } from './errors.js';
import { formatUuidV6 } from './formatUuidV6.js';
import { HI_RANGE, LO_RANGE, splitTicks, toUnixMs } from './gregorian.js';
import { randomPool, reserveRandom } from './randomPool.js';

/**
 * Generates one UUIDv6 per instant, in input order, such that sorting the ids sorts the inputs stably by
 * instant: ids for equal instants increase in input order (the first one gets the instant's first 100-ns
 * tick, the next one tick + 1, ...), and an earlier instant always gets a smaller id. More than 10,000
 * equal instants in one millisecond borrow ticks from the following ones, like `uuidv6`. The guarantee holds
 * within one call: to backfill in chunks, pass whole groups of equal instants to the same call.
 *
 * @example
 * const [a, b, c] = uuidv6Batch([joinedAt, joinedAt, earlier]);
 * a < b; // true: equal instants keep input order
 * c < a; // true: the earlier instant sorts first
 */
export function uuidv6Batch(instants: readonly (Date | number)[]): UuidV6[] {
  const ms = readInstants(instants);
  const count = ms.length;
  let sorted = true;
  for (let i = 1; i < count; i++) {
    if (ms[i]! < ms[i - 1]!) {
      sorted = false;
      break;
    }
  }

  const order = Array.from({ length: count }, (_, i) => i);
  // Array#sort is stable (ES2019), so equal instants keep their input order.
  if (!sorted) order.sort((a, b) => ms[a]! - ms[b]!);

  const ids = new Array<UuidV6>(count);
  let lastMs = Number.NaN;
  let hi = 0;
  let lo = -1;
  for (const index of order) {
    const instantMs = ms[index]!;
    if (instantMs !== lastMs) {
      const [nextHi, nextLo] = splitTicks(instantMs, 0);
      lastMs = instantMs;
      if (nextHi > hi || (nextHi === hi && nextLo > lo)) {
        hi = nextHi;
        lo = nextLo - 1;
      }
    }
    lo += 1;
    if (lo === LO_RANGE) {
      lo = 0;
      hi += 1;
    }
    if (hi >= HI_RANGE) throw new InvalidInstantError('the batch runs past the 60-bit UUIDv6 timestamp');
    ids[index] = formatUuidV6(hi, lo, randomPool, reserveRandom(8)) as UuidV6;
  }
  return ids;
}

/**
 * Validates the instants and returns their Unix ms, reading each element once. Reading a proxy or a getter
 * runs the caller's code: what that throws is reported as an InvalidInstantError (the original as `cause`),
 * so that every failure of this package stays a named IdError.
 */
function readInstants(instants: unknown): number[] {
  let isArray: boolean;
  try {
    isArray = Array.isArray(instants);
  } catch (error) {
    throw new InvalidInstantError('expected an array of instants, got a revoked proxy', { cause: error });
  }
  if (!isArray) {
    throw new InvalidInstantError(`expected an array of instants, got ${describeType(instants)}`);
  }
  const array = instants as readonly unknown[];
  const count = read(array, 'length');
  if (!(typeof count === 'number' && Number.isSafeInteger(count) && count >= 0)) {
    throw new InvalidInstantError(
      `expected an array of instants, got one of length ${describeNumber(count)}`,
    );
  }
  // grown one element at a time: a sparse array claiming billions of elements fails at its first hole
  const ms: number[] = [];
  for (let i = 0; i < count; i++) {
    const instant = read(array, i);
    try {
      ms.push(toUnixMs(instant));
    } catch (error) {
      throw new InvalidInstantError(`instants[${i}]: ${(error as IdError).message}`);
    }
  }
  return ms;
}

function read(array: readonly unknown[], key: number | 'length'): unknown {
  try {
    return array[key as number];
  } catch (error) {
    const what = key === 'length' ? 'the length of instants' : `instants[${key}]`;
    throw new InvalidInstantError(`could not read ${what}`, { cause: error });
  }
}
