import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createUuidV6Generator } from './createUuidV6Generator.js';
import { InvalidInstantError, uuidToBytes, uuidV6Date, uuidV6Ticks, uuidVersion, uuidv6 } from './index.js';

const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
const ticksOf = (ms: number) => (BigInt(ms) + 12_219_292_800_000n) * 10_000n;

/** A clock that returns the scripted values in turn, then repeats the last one. */
function scriptedClock(values: readonly number[]): () => number {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)]!;
}

function expectStrictlyIncreasing(ids: readonly string[]): void {
  for (let i = 1; i < ids.length; i++) {
    if (!(ids[i - 1]! < ids[i]!)) {
      throw new Error(`ids[${i - 1}] = ${ids[i - 1]} is not below ids[${i}] = ${ids[i]}`);
    }
  }
}

describe('uuidv6 (process-wide generator)', () => {
  it('stays strictly increasing over 3 million ids in a tight loop (so no duplicate either)', () => {
    const count = 3_000_000;
    let previous = uuidv6();
    let violations = 0;
    for (let i = 0; i < count; i++) {
      const next = uuidv6();
      if (!(previous < next)) violations++;
      previous = next;
    }
    expect(violations).toBe(0);
  });

  it('sets version 6, variant 10 and the multicast bit, and draws fresh random bits per id', () => {
    const tails = new Set<string>();
    for (let i = 0; i < 50_000; i++) {
      const id = uuidv6();
      const bytes = uuidToBytes(id);
      expect(bytes[6]! >> 4).toBe(6);
      expect(bytes[8]! >> 6).toBe(0b10);
      expect(bytes[10]! & 1).toBe(1);
      tails.add(id.slice(19));
    }
    expect(tails.size).toBe(50_000);
  });

  it('encodes the current time', () => {
    const before = Date.now();
    const id = uuidv6();
    const after = Date.now();
    expect(uuidV6Date(id).getTime()).toBeGreaterThanOrEqual(before);
    // a burst may borrow a few ticks from the future, never whole seconds
    expect(uuidV6Date(id).getTime()).toBeLessThanOrEqual(after + 1000);
  });
});

describe('createUuidV6Generator with a faked clock', () => {
  it('starts each new millisecond at its first tick and counts ticks within it', () => {
    const next = createUuidV6Generator({ now: scriptedClock([T0, T0, T0, T0 + 5]) });
    const ids = [next(), next(), next(), next()];
    expect(ids.map(uuidV6Ticks)).toEqual([ticksOf(T0), ticksOf(T0) + 1n, ticksOf(T0) + 2n, ticksOf(T0 + 5)]);
    expect(ids.map(uuidVersion)).toEqual([6, 6, 6, 6]);
  });

  it('keeps increasing when the clock steps back (RFC 9562 s6.2: reuse the last timestamp and advance)', () => {
    const next = createUuidV6Generator({
      now: scriptedClock([T0, T0 + 10, T0 - 60_000, T0 - 60_000, T0 + 3, T0 + 11]),
    });
    const ids = Array.from({ length: 6 }, next);
    expectStrictlyIncreasing(ids);
    expect(ids.map(uuidV6Ticks)).toEqual([
      ticksOf(T0),
      ticksOf(T0 + 10),
      ticksOf(T0 + 10) + 1n,
      ticksOf(T0 + 10) + 2n,
      ticksOf(T0 + 10) + 3n,
      ticksOf(T0 + 11),
    ]);
  });

  it('stays strictly increasing and unique under a clock that jumps back and forth at random', () => {
    let ms = T0;
    const next = createUuidV6Generator({
      now: () => {
        const r = Math.random();
        if (r < 0.01) ms -= Math.floor(Math.random() * 100_000);
        else if (r < 0.3) ms += 1;
        return ms;
      },
    });
    const ids = Array.from({ length: 300_000 }, next);
    expectStrictlyIncreasing(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('borrows ticks from the future when more than 10,000 ids are asked in one millisecond', () => {
    const next = createUuidV6Generator({
      now: scriptedClock([...Array<number>(25_000).fill(T0), T0 + 1, T0 + 3]),
    });
    const ids = Array.from({ length: 25_002 }, next);
    expectStrictlyIncreasing(ids);
    expect(uuidV6Ticks(ids[10_000]!)).toBe(ticksOf(T0 + 1));
    expect(uuidV6Ticks(ids[24_999]!)).toBe(ticksOf(T0) + 24_999n);
    // the clock reaching T0 + 1 does not go back to T0 + 1's first tick: it is already used
    expect(uuidV6Ticks(ids[25_000]!)).toBe(ticksOf(T0) + 25_000n);
    expect(uuidV6Ticks(ids[25_001]!)).toBe(ticksOf(T0 + 3));
  });

  it('carries a tick increment across the 2^28 boundary of the split timestamp', () => {
    // 2^28 ticks after the Gregorian epoch is 26843.5456 ms: pick a millisecond whose ticks straddle it.
    const gregorianMs = 26_843;
    const ms = gregorianMs - 12_219_292_800_000;
    const next = createUuidV6Generator({ now: () => ms });
    const ids = Array.from({ length: 10_000 }, next);
    expectStrictlyIncreasing(ids);
    expect(uuidV6Ticks(ids[9_999]!)).toBe(ticksOf(ms) + 9_999n);
    expect(ids[0]!.slice(0, 8)).toBe('00000000');
    expect(ids[9_999]!.slice(0, 8)).toBe('00000001');
  });

  it('works for clocks before 1970', () => {
    const ms = Date.UTC(1601, 0, 1);
    const next = createUuidV6Generator({ now: () => ms });
    expect(uuidV6Date(next()).getTime()).toBe(ms);
  });

  it('throws InvalidInstantError for a clock outside the UUIDv6 range or not a number', () => {
    for (const bad of [Number.NaN, -12_219_292_800_001, 103_072_857_660_685, 1.5, Number.POSITIVE_INFINITY]) {
      const next = createUuidV6Generator({ now: () => bad });
      expect(next).toThrow(InvalidInstantError);
    }
  });

  it('throws InvalidInstantError, and never wraps around, when the 60-bit timestamp is used up', () => {
    const next = createUuidV6Generator({ now: () => 103_072_857_660_684 });
    const ids = Array.from({ length: 6_976 }, next);
    expect(ids.at(-1)!.slice(0, 18)).toBe('ffffffff-ffff-6fff');
    expect(next).toThrow(/exhausted/);
    expect(next).toThrow(InvalidInstantError);
  });

  it('encodes exactly the ticks of a reference model, whatever the clock does (cached digits stay right)', () => {
    // The generator keeps the hex digits of the upper timestamp bits between calls; this model in BigInt
    // recomputes everything each time, so any stale cached digit shows as a wrong tick count.
    const step = fc.oneof(
      { arbitrary: fc.constant(0), weight: 6 },
      { arbitrary: fc.integer({ min: 1, max: 3 }), weight: 2 },
      { arbitrary: fc.integer({ min: -100_000, max: 100_000 }), weight: 1 },
      // 2^24 ms is 625 * 2^28 ticks: the low 28 bits (and their cached digits) stay, only the upper 32 change
      { arbitrary: fc.constantFrom(16_777_216, -16_777_216), weight: 1 },
    );
    const start = fc.oneof(
      fc.integer({ min: -12_219_292_800_000, max: 103_072_857_000_000 }),
      // near 2^28 and 2^44 ticks (26843.5456 ms and 1759218604.4416 ms after 1582), where hi's digits carry
      fc.constantFrom(26_843, 1_759_218_604, 1_759_218_604 * 16).map((ms) => ms - 12_219_292_800_000),
    );
    fc.assert(
      fc.property(
        start,
        fc.array(fc.tuple(step, fc.integer({ min: 1, max: 3_000 })), { maxLength: 8 }),
        (t0, steps) => {
          let ms = t0;
          const clock: number[] = [];
          for (const [delta, calls] of steps) {
            ms = Math.min(Math.max(ms + delta, -12_219_292_800_000), 103_072_857_000_000);
            for (let i = 0; i < calls; i++) clock.push(ms);
          }
          const next = createUuidV6Generator({ now: scriptedClock(clock) });
          let lastMs = Number.NEGATIVE_INFINITY;
          let ticks = -1n;
          for (const now of clock) {
            if (now > lastMs) {
              const first = ticksOf(now);
              lastMs = now;
              ticks = first > ticks ? first : ticks + 1n;
            } else {
              ticks += 1n;
            }
            const id = next();
            if (uuidV6Ticks(id) !== ticks)
              throw new Error(`${id} encodes ${uuidV6Ticks(id)}, expected ${ticks}`);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps independent generators independent', () => {
    const a = createUuidV6Generator({ now: () => T0 });
    const b = createUuidV6Generator({ now: () => T0 });
    expect(uuidV6Ticks(a())).toBe(ticksOf(T0));
    expect(uuidV6Ticks(b())).toBe(ticksOf(T0));
    expect(uuidV6Ticks(a())).toBe(ticksOf(T0) + 1n);
  });
});
