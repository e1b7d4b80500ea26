import { UserIds } from '../idKinds.js';

/**
 * `count` distinct user slugs from `@org/ids` (its CSPRNG pool, the same source as new users' slugs), packed
 * end to end in one latin1 buffer for the copy of users to slice. A Set of a million strings would cost most
 * of a second; comparing sorted 48-bit prefixes first costs a quarter of that.
 */
export function packedUniqueSlugs(count: number): Buffer {
  const length = UserIds.slugLength;
  const packed = Buffer.allocUnsafe(count * length);
  for (let slot = 0; slot < count; slot++) packed.write(UserIds.newSlug(), slot * length, length, 'latin1');
  for (let again = duplicateSlots(packed, length); again.length > 0; again = duplicateSlots(packed, length)) {
    for (const slot of again) packed.write(UserIds.newSlug(), slot * length, length, 'latin1');
  }
  return packed;
}

/** The slots of `packed` (slugs of `length` characters) that repeat an earlier slot's slug. */
export function duplicateSlots(packed: Buffer, length: number): number[] {
  const count = packed.length / length;
  const prefixBytes = Math.min(6, length);
  const prefixes = new Float64Array(count);
  for (let slot = 0; slot < count; slot++) prefixes[slot] = packed.readUIntBE(slot * length, prefixBytes);
  const sorted = prefixes.slice().sort();
  const shared = new Set<number>();
  for (let i = 1; i < count; i++) if (sorted[i] === sorted[i - 1]) shared.add(sorted[i]!);
  if (shared.size === 0) return [];
  const seen = new Set<string>();
  const repeats: number[] = [];
  for (let slot = 0; slot < count; slot++) {
    if (!shared.has(prefixes[slot]!)) continue;
    const slug = packed.toString('latin1', slot * length, (slot + 1) * length);
    if (seen.has(slug)) repeats.push(slot);
    else seen.add(slug);
  }
  return repeats;
}
