import type { UuidV6 } from './brand.js';
import { InvalidInstantError } from './errors.js';
import { formatUuidV6 } from './formatUuidV6.js';
import { HI_RANGE, LO_RANGE, splitTicks, toUnixMs } from './gregorian.js';
import { randomPool, reserveRandom } from './randomPool.js';

export interface UuidV6GeneratorOptions {
  /** Clock in Unix milliseconds; `Date.now` by default. Tests inject one that stalls or steps back. */
  readonly now?: () => number;
}

/**
 * Builds an independent monotonic v6 generator. `uuidv6` is one of these on `Date.now`; this factory exists
 * so that tests can drive the clock.
 *
 * Ordering lives entirely in the 60-bit timestamp (RFC 9562 s6.2, "reuse the last timestamp and advance"):
 * a new millisecond starts at its first 100-ns tick; any other call (same millisecond, a clock that stepped
 * back, or a burst of more than 10,000 ids in one millisecond, which borrows ticks from the future) takes the
 * previous tick + 1. So every id is strictly greater than the previous one and never repeats (s6.1).
 *
 * The remaining 62 bits (14-bit clock_seq + 48-bit node) are fresh CSPRNG bytes for every id, with the
 * multicast bit set as s6.10 asks of a random node: 61 random bits per id. Drawing them per id rather than
 * once per process means two processes (or machines) that hit the same tick still differ with probability
 * 1 - 2^-61 per pair, needs no coordination, and leaks no per-host or per-process identifier that would let
 * a reader link ids to the process that minted them.
 */
export function createUuidV6Generator(options: UuidV6GeneratorOptions = {}): () => UuidV6 {
  const now = options.now ?? Date.now;
  let lastMs = Number.NEGATIVE_INFINITY;
  let hi = 0;
  let lo = -1;

  function advance(): void {
    lo += 1;
    if (lo === LO_RANGE) {
      lo = 0;
      hi += 1;
      if (hi === HI_RANGE) {
        hi -= 1;
        lo = LO_RANGE - 1;
        throw new InvalidInstantError(
          'the 60-bit UUIDv6 timestamp is exhausted: no later id can be generated',
        );
      }
    }
  }

  return function uuidv6(): UuidV6 {
    const ms = now();
    if (ms > lastMs) {
      const [nextHi, nextLo] = splitTicks(toUnixMs(ms), 0);
      lastMs = ms;
      if (nextHi > hi || (nextHi === hi && nextLo > lo)) {
        hi = nextHi;
        lo = nextLo;
      } else {
        advance();
      }
    } else if (ms <= lastMs) {
      advance();
    } else {
      toUnixMs(ms); // NaN or not a number: throws InvalidInstantError saying so
    }
    return formatUuidV6(hi, lo, randomPool, reserveRandom(8)) as UuidV6;
  };
}
