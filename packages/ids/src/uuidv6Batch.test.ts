import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareUuids,
  InvalidInstantError,
  uuidV6Date,
  uuidV6Ticks,
  uuidv6At,
  uuidv6Batch,
} from './index.js';

const ticksOf = (ms: number) => (BigInt(ms) + 12_219_292_800_000n) * 10_000n;

describe('uuidv6Batch', () => {
  it('returns one id per instant, in input order, each encoding its instant', () => {
    const instants = [Date.UTC(2020, 0, 1), new Date(Date.UTC(1969, 6, 20, 20, 17)), Date.UTC(2031, 4, 5)];
    const ids = uuidv6Batch(instants);
    expect(ids).toHaveLength(3);
    expect(ids.map((id) => uuidV6Date(id).getTime())).toEqual(instants.map((i) => Number(i)));
  });

  it('gives equal instants increasing ids in input order, starting at the first tick of the instant', () => {
    const t = Date.UTC(2015, 5, 1);
    const ids = uuidv6Batch([t, t + 1, t, t, t + 1]);
    expect(ids.map(uuidV6Ticks)).toEqual([
      ticksOf(t),
      ticksOf(t + 1),
      ticksOf(t) + 1n,
      ticksOf(t) + 2n,
      ticksOf(t + 1) + 1n,
    ]);
  });

  it('sorting the ids sorts the inputs stably by instant (property)', () => {
    const instant = fc.integer({ min: 0, max: 20 }).map((k) => Date.UTC(2001, 0, 1) + k);
    fc.assert(
      fc.property(fc.array(instant, { maxLength: 200 }), (instants) => {
        const ids = uuidv6Batch(instants);
        const byId = instants.map((_, i) => i).sort((a, b) => compareUuids(ids[a]!, ids[b]!));
        const stable = instants.map((_, i) => i).sort((a, b) => instants[a]! - instants[b]!);
        expect(byId).toEqual(stable);
      }),
      { numRuns: 300 },
    );
  });

  it('borrows ticks for more than 10,000 equal instants and still sorts before later instants', () => {
    const t = Date.UTC(2010, 0, 1);
    const instants = [t + 1, ...Array<number>(10_001).fill(t), t + 2];
    const ids = uuidv6Batch(instants);
    const sorted = [...ids].sort(compareUuids);
    expect(sorted[0]).toBe(ids[1]);
    expect(sorted.at(-2)).toBe(ids[0]);
    expect(sorted.at(-1)).toBe(ids.at(-1));
    expect(uuidV6Ticks(ids[10_001]!)).toBe(ticksOf(t) + 10_000n);
    expect(uuidV6Ticks(ids[0]!)).toBe(ticksOf(t) + 10_001n);
  });

  it('handles an empty batch', () => {
    expect(uuidv6Batch([])).toEqual([]);
  });

  it('names the bad element in its error', () => {
    expect(() => uuidv6Batch([0, 1, new Date('1400-01-01')])).toThrow(
      new InvalidInstantError(
        'instants[2]: instant 1400-01-01T00:00:00.000Z is before the Gregorian epoch 1582-10-15T00:00:00.000Z, the earliest UUIDv6 timestamp',
      ),
    );
    expect(() => uuidv6Batch([Number.NaN])).toThrow(
      /instants\[0\]: expected an integer number of Unix milliseconds, got NaN/,
    );
    expect(() => uuidv6Batch('2020' as unknown as number[])).toThrow(
      /expected an array of instants, got string/,
    );
  });

  it('throws InvalidInstantError when the batch runs past the last timestamp', () => {
    expect(() => uuidv6Batch(Array<number>(6_977).fill(103_072_857_660_684))).toThrow(InvalidInstantError);
    expect(uuidv6Batch(Array<number>(6_976).fill(103_072_857_660_684))).toHaveLength(6_976);
  });

  it('uuidv6At alone does not order equal instants (which is why the batch exists)', () => {
    const t = Date.UTC(2010, 0, 1);
    const ids = Array.from({ length: 64 }, () => uuidv6At(t));
    expect(new Set(ids.map(uuidV6Ticks)).size).toBe(1);
    expect([...ids].sort(compareUuids)).not.toEqual(ids);
  });
});
