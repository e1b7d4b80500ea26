import { HEX_CODE } from './hex.js';

/**
 * Formats a v6 from its split timestamp and 8 random bytes at `bytes[at..at+8]` (RFC 9562 s5.6 layout):
 * time_high(32) - time_mid(16) - ver(4)=6 time_low(12) - var(2)=10 clock_seq(14) - node(48), with the
 * node's multicast bit (least significant bit of its first octet) set because the node is random (s6.10).
 *
 * One `String.fromCharCode` call with 36 arguments builds a flat 36-byte string in one allocation: faster
 * than concatenating hex pairs, and unlike a concatenation (a tree of ~20 cons strings, ~490 bytes per id
 * kept in memory) it stays small when millions of ids are held, e.g. during a backfill.
 */
export function formatUuidV6(hi: number, lo: number, bytes: Uint8Array, at: number): string {
  const h = HEX_CODE;
  const seq = bytes[at]!;
  const seqLow = bytes[at + 1]!;
  const n0 = bytes[at + 2]! | 0x01;
  const n1 = bytes[at + 3]!;
  const n2 = bytes[at + 4]!;
  const n3 = bytes[at + 5]!;
  const n4 = bytes[at + 6]!;
  const n5 = bytes[at + 7]!;
  return String.fromCharCode(
    h[hi >>> 28]!,
    h[(hi >>> 24) & 15]!,
    h[(hi >>> 20) & 15]!,
    h[(hi >>> 16) & 15]!,
    h[(hi >>> 12) & 15]!,
    h[(hi >>> 8) & 15]!,
    h[(hi >>> 4) & 15]!,
    h[hi & 15]!,
    45,
    h[lo >>> 24]!,
    h[(lo >>> 20) & 15]!,
    h[(lo >>> 16) & 15]!,
    h[(lo >>> 12) & 15]!,
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
  );
}
