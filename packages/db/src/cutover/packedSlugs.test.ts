import { isSlug } from '@org/ids';
import { describe, expect, it } from 'vitest';
import { UserIds } from '../idKinds.js';
import { duplicateSlots, packedUniqueSlugs } from './packedSlugs.js';

const pack = (...slugs: string[]) => Buffer.from(slugs.join(''), 'latin1');

describe('duplicateSlots', () => {
  it('finds the slots that repeat an earlier slug, however far apart', () => {
    expect(
      duplicateSlots(
        pack('aaaaaaaaaaaa', 'bbbbbbbbbbbb', 'aaaaaaaaaaaa', 'cccccccccccc', 'bbbbbbbbbbbb'),
        12,
      ),
    ).toEqual([2, 4]);
    expect(duplicateSlots(pack('aaaaaaaaaaaa', 'aaaaaaaaaaaa', 'aaaaaaaaaaaa'), 12)).toEqual([1, 2]);
  });

  it('tells slugs that share their first six characters apart', () => {
    expect(duplicateSlots(pack('abcdefXXXXXX', 'abcdefYYYYYY', 'abcdefXXXXXY'), 12)).toEqual([]);
    expect(duplicateSlots(pack('abcdefXXXXXX', 'abcdefYYYYYY', 'abcdefXXXXXX'), 12)).toEqual([2]);
  });

  it('handles slugs shorter than the prefix', () => {
    expect(duplicateSlots(pack('ab', 'cd', 'ab'), 2)).toEqual([2]);
  });
});

describe('packedUniqueSlugs', () => {
  it('packs the requested number of distinct, well-formed slugs', () => {
    const length = UserIds.slugLength;
    const packed = packedUniqueSlugs(20_000);
    expect(packed.length).toBe(20_000 * length);
    const slugs = new Set<string>();
    for (let slot = 0; slot < 20_000; slot++) {
      const slug = packed.toString('latin1', slot * length, (slot + 1) * length);
      expect(isSlug(slug, length)).toBe(true);
      slugs.add(slug);
    }
    expect(slugs.size).toBe(20_000);
  });

  it('packs nothing for no users', () => {
    expect(packedUniqueSlugs(0).length).toBe(0);
  });
});
