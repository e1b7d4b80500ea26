/**
 * CSPRNG bytes drawn in blocks: one `getRandomValues` call costs ~1.5 us whatever the size up to 64 KB, so
 * filling 8 KB at once instead of 8 bytes per id is what makes generation cheap (TOOLCHAIN.md, uuid.v6()).
 * The block lives only in this process's memory; nothing in Node copies a process's heap into another one,
 * so two processes never share a block.
 */
export const randomPool = new Uint8Array(8192);

let next = randomPool.length;

/** Reserves `count` (<= 8192) fresh random bytes and returns their offset in `randomPool`. */
export function reserveRandom(count: number): number {
  if (next + count > randomPool.length) {
    crypto.getRandomValues(randomPool);
    next = 0;
  }
  const at = next;
  next += count;
  return at;
}
