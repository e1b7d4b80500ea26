import { customAlphabet } from 'nanoid';
import { describe, expect, it } from 'vitest';
import { runFixture } from '../test/runFixture.js';
import { BASE62_ALPHABET, InvalidSlugError, isSlug, parseSlug, slug } from './index.js';

/** Pearson's chi-square statistic of observed counts against a uniform distribution. */
function chiSquare(counts: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  const expected = total / counts.length;
  let statistic = 0;
  for (let i = 0; i < counts.length; i++) statistic += (counts[i]! - expected) ** 2 / expected;
  return statistic;
}

/** Character frequencies over `slugs` slugs, overall and at the first and last positions. */
function frequencies(generate: () => string, slugs: number, length: number) {
  const overall = new Float64Array(62);
  const first = new Float64Array(62);
  const last = new Float64Array(62);
  const index = new Int8Array(128).fill(-1);
  for (let i = 0; i < 62; i++) index[BASE62_ALPHABET.charCodeAt(i)] = i;
  for (let n = 0; n < slugs; n++) {
    const s = generate();
    for (let i = 0; i < length; i++) overall[index[s.charCodeAt(i)]!]! += 1;
    first[index[s.charCodeAt(0)]!]! += 1;
    last[index[s.charCodeAt(length - 1)]!]! += 1;
  }
  return { overall, first, last };
}

// 61 degrees of freedom: the statistic has mean 61 and standard deviation 11; 130 is ~6 sigma (p < 1e-7),
// so a fair generator fails once in ten million runs while a modulo-biased one (byte % 62 makes 8
// characters 25% more likely) lands in the thousands on these sample sizes.
const CRITICAL = 130;

/** The classic mistake: `byte % 62` favours the first 256 % 62 = 8 characters. */
function moduloBiasedSlug(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let s = '';
  for (const b of bytes) s += BASE62_ALPHABET[b % 62];
  return s;
}

describe('slug', () => {
  it('makes 12 Base62 characters by default, and any length from 1 to 256', () => {
    for (let i = 0; i < 10_000; i++) expect(slug()).toMatch(/^[0-9a-zA-Z]{12}$/);
    for (const length of [1, 2, 11, 12, 13, 21, 22, 100, 255, 256]) {
      const s = slug(length);
      expect(s).toMatch(new RegExp(`^[0-9a-zA-Z]{${length}}$`));
    }
  });

  it('uses the whole Base62 alphabet', () => {
    const seen = new Set(Array.from({ length: 2_000 }, () => slug()).join(''));
    expect([...seen].sort().join('')).toBe([...BASE62_ALPHABET].sort().join(''));
  });

  it('never repeats over 200,000 slugs', () => {
    const slugs = new Set(Array.from({ length: 200_000 }, () => slug()));
    expect(slugs.size).toBe(200_000);
  });

  it('draws every character with equal probability at every position (no modulo bias)', () => {
    const { overall, first, last } = frequencies(() => slug(), 200_000, 12);
    expect(chiSquare(overall)).toBeLessThan(CRITICAL);
    expect(chiSquare(first)).toBeLessThan(CRITICAL);
    expect(chiSquare(last)).toBeLessThan(CRITICAL);
    const long = frequencies(() => slug(21), 100_000, 21);
    expect(chiSquare(long.overall)).toBeLessThan(CRITICAL);
  });

  it('the bias check does catch a modulo-biased generator', () => {
    const { overall } = frequencies(() => moduloBiasedSlug(12), 200_000, 12);
    expect(chiSquare(overall)).toBeGreaterThan(CRITICAL * 10);
  });

  it('throws InvalidSlugError for a length that is not an integer from 1 to 256', () => {
    for (const bad of [0, -1, 1.5, 257, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => slug(bad)).toThrow(InvalidSlugError);
    }
    expect(() => slug(0)).toThrow('slug length must be an integer from 1 to 256, got 0');
    expect(() => slug('12' as unknown as number)).toThrow(
      'slug length must be an integer from 1 to 256, got string',
    );
  });

  it('returns flat strings: keeping 10,000 slugs (or v6 ids) costs ~50 bytes each, not a slice of the random pool', async () => {
    const measure = async (mode: string) =>
      JSON.parse(await runFixture('retainedHeap.ts', [mode], ['--expose-gc'])) as { bytesPerId: number };
    const [short, long, veryLong, v6, nanoid] = await Promise.all(
      ['slug12', 'slug21', 'slug64', 'uuidv6', 'nanoid21'].map((mode) => measure(mode)),
    );
    // uuidv6() ids are flat too (a concatenated id would be a ~490-byte tree of cons strings)
    expect(v6!.bytesPerId).toBeLessThan(100);
    expect(short!.bytesPerId).toBeLessThan(100);
    expect(long!.bytesPerId).toBeLessThan(100);
    expect(veryLong!.bytesPerId).toBeLessThan(150);
    // the same harness sees nanoid's 21-char ids pin its 32 KB pool: the measurement can fail
    expect(nanoid!.bytesPerId).toBeGreaterThan(500);
  }, 60_000);
});

describe('isSlug / parseSlug', () => {
  it('accept Base62 strings of the expected length (12 by default)', () => {
    const s = slug();
    expect(isSlug(s)).toBe(true);
    expect(parseSlug(s)).toBe(s);
    expect(isSlug('abc', 3)).toBe(true);
    expect(parseSlug('AbC', 3)).toBe('AbC');
    expect(isSlug(customAlphabet(BASE62_ALPHABET, 12)())).toBe(true);
  });

  it('reject everything else with a message that says what is wrong', () => {
    const cases: [unknown, number, string][] = [
      [42, 12, 'expected a slug string, got number'],
      [null, 12, 'expected a slug string, got null'],
      ['abc', 12, 'expected a 12-character slug, got 3 characters: "abc"'],
      [
        'abcdefghijk-',
        12,
        'expected a Base62 character (0-9, a-z, A-Z) at position 11 of a slug, got "-" in "abcdefghijk-"',
      ],
      [
        'abcdefghijk\u00e9',
        12,
        'expected a Base62 character (0-9, a-z, A-Z) at position 11 of a slug, got "\u00e9"',
      ],
      ['abcdefghijk_', 12, 'at position 11'],
      ['abcdefghijkl', 3, 'expected a 3-character slug, got 12 characters'],
    ];
    for (const [value, length, message] of cases) {
      expect(isSlug(value, length)).toBe(false);
      expect(() => parseSlug(value as string, length)).toThrow(InvalidSlugError);
      expect(() => parseSlug(value as string, length)).toThrow(message);
    }
  });
});
