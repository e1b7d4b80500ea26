import type { UuidV6 } from './brand.js';
import { InvalidInstantError } from './errors.js';
import { HI_RANGE, LO_RANGE, splitTicks, toUnixMs } from './gregorian.js';
import { HEX_CODE } from './hex.js';
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
 *
 * Speed (issue 13): the clock read is most of the cost (`Date.now()` is ~45 ns on a VM's kvm-clock), so the
 * rest does as little as it can. A call in the same millisecond only counts a tick; the hex codes of the
 * first 12 digits (time_high and time_mid: the tick count above its low 12 bits) are kept between calls and
 * recomputed when those bits change, every 4096 ticks at most; the id is one flat string made by one
 * `String.fromCharCode` call (see formatUuidV6 for why flat).
 */
export function createUuidV6Generator(options: UuidV6GeneratorOptions = {}): () => UuidV6 {
  const now = options.now ?? Date.now;
  const h = HEX_CODE;
  let lastMs = Number.NEGATIVE_INFINITY;
  let hi = 0;
  let lo = -1;
  // hi and lo >>> 12 as of the cached codes c0..c7 (time_high) and c9..c12 (time_mid); -1: none yet
  let codesHi = -1;
  let codesMid = -1;
  let c0 = 0;
  let c1 = 0;
  let c2 = 0;
  let c3 = 0;
  let c4 = 0;
  let c5 = 0;
  let c6 = 0;
  let c7 = 0;
  let c9 = 0;
  let c10 = 0;
  let c11 = 0;
  let c12 = 0;

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

  /** A clock reading other than the last one: a later millisecond, a step back, or not a valid instant. */
  function newMillisecond(ms: number): void {
    if (ms < lastMs) {
      advance(); // the clock stepped back
      return;
    }
    // toUnixMs throws InvalidInstantError for NaN, a non-integer or an instant outside the UUIDv6 range
    const [nextHi, nextLo] = splitTicks(toUnixMs(ms), 0);
    lastMs = ms;
    if (nextHi > hi || (nextHi === hi && nextLo > lo)) {
      hi = nextHi;
      lo = nextLo;
    } else {
      advance();
    }
  }

  return function uuidv6(): UuidV6 {
    const ms = now();
    if (ms === lastMs) advance();
    else newMillisecond(ms);
    const mid = lo >>> 12;
    if (mid !== codesMid || hi !== codesHi) {
      codesHi = hi;
      codesMid = mid;
      c0 = h[hi >>> 28]!;
      c1 = h[(hi >>> 24) & 15]!;
      c2 = h[(hi >>> 20) & 15]!;
      c3 = h[(hi >>> 16) & 15]!;
      c4 = h[(hi >>> 12) & 15]!;
      c5 = h[(hi >>> 8) & 15]!;
      c6 = h[(hi >>> 4) & 15]!;
      c7 = h[hi & 15]!;
      c9 = h[mid >>> 12]!;
      c10 = h[(mid >>> 8) & 15]!;
      c11 = h[(mid >>> 4) & 15]!;
      c12 = h[mid & 15]!;
    }
    const bytes = randomPool;
    const at = reserveRandom(8);
    const seq = bytes[at]!;
    const seqLow = bytes[at + 1]!;
    const n0 = bytes[at + 2]! | 0x01;
    const n1 = bytes[at + 3]!;
    const n2 = bytes[at + 4]!;
    const n3 = bytes[at + 5]!;
    const n4 = bytes[at + 6]!;
    const n5 = bytes[at + 7]!;
    // the layout of formatUuidV6: time_high - time_mid - 6 time_low - var clock_seq - node (multicast bit set)
    return String.fromCharCode(
      c0,
      c1,
      c2,
      c3,
      c4,
      c5,
      c6,
      c7,
      45,
      c9,
      c10,
      c11,
      c12,
      45,
      54,
      h[(lo >>> 8) & 15]!,
      h[(lo >>> 4) & 15]!,
      h[lo & 15]!,
      45,
      h[8 | ((seq >>> 4) & 3)]!,
      h[seq & 15]!,
      h[seqLow >>> 4]!,
      h[seqLow & 15]!,
      45,
      h[n0 >>> 4]!,
      h[n0 & 15]!,
      h[n1 >>> 4]!,
      h[n1 & 15]!,
      h[n2 >>> 4]!,
      h[n2 & 15]!,
      h[n3 >>> 4]!,
      h[n3 & 15]!,
      h[n4 >>> 4]!,
      h[n4 & 15]!,
      h[n5 >>> 4]!,
      h[n5 & 15]!,
    ) as UuidV6;
  };
}
