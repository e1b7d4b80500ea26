import type { UuidV6 } from './brand.js';
import { InvalidInstantError } from './errors.js';
import { formatUuidV6 } from './formatUuidV6.js';
import { HI_RANGE, splitTicks, toSubMs, toUnixMs } from './gregorian.js';
import { randomPool, reserveRandom } from './randomPool.js';

/**
 * Generates a UUIDv6 whose timestamp is the given instant (a `Date` or Unix milliseconds) plus an optional
 * 100-ns remainder (0..9999): for backfilling ids of existing rows. Instants before 1970 work; before the
 * Gregorian epoch (1582-10-15) or past the 60-bit range they throw InvalidInstantError. Ids for the same
 * instant differ only in their random bits, so their relative order is random: use `uuidv6Batch` when order
 * among equal instants matters.
 *
 * @example
 * const id = uuidv6At(new Date('2022-02-22T19:22:22Z'));
 * uuidV6Date(id).toISOString(); // '2022-02-22T19:22:22.000Z'
 */
export function uuidv6At(instant: Date | number, ticks100ns = 0): UuidV6 {
  const [hi, lo] = splitTicks(toUnixMs(instant), toSubMs(ticks100ns));
  if (hi >= HI_RANGE) {
    throw new InvalidInstantError(`instant plus ${ticks100ns} ticks is beyond the 60-bit UUIDv6 timestamp`);
  }
  return formatUuidV6(hi, lo, randomPool, reserveRandom(8)) as UuidV6;
}
