// The operations the bench times. Each case is its own function with its own loop, and bench/runCase.ts runs
// one case per process: no call site ever sees two cases, so none pays for another (issue 13: one shared
// higher-order loop made its call site megamorphic and slowed every case, the fast ones most).
// Every process imports the same modules and builds the same inputs, whichever case it runs.
//
// Every result is stored (`kept[i & 63] = result`), so it must exist. A loop that only reads `.length` lets
// the optimiser inline a generator that concatenates and never build its string: `randomUUID()` of
// node:crypto then measures ~62 ns an id on the development VM, but ~145 ns when its ids are kept (and
// ~180 ns with inlining off). The `(.length only)` cases reproduce that for the record.

import { randomUUID } from 'node:crypto';
import { BASE62_ALPHABET, parseUuidV6, slug, uuidFromBytes, uuidToBytes, uuidv6, uuidv6At } from '@org/ids';
import { customAlphabet } from 'nanoid';
import * as uuid from 'uuid';

/** Runs an operation `n` times and returns a number derived from the results (defeats dead-code elimination). */
export type Loop = (n: number) => number;

const T0 = Date.UTC(2026, 0, 1);
/** The codec cases' inputs, the same for ours and the peer: 1024 v6 ids and their bytes. */
const strings = Array.from({ length: 1024 }, (_, i) => uuidv6At(T0 + i, i) as string);
const byteArrays = strings.map(uuidToBytes);
const nanoid12 = customAlphabet(BASE62_ALPHABET, 12);
const nanoid21 = customAlphabet(BASE62_ALPHABET, 21);
/** Where every result goes; exported so that no optimiser can prove the stores useless. */
export const kept: unknown[] = new Array(64).fill(null);

export const loops = {
  'uuidv6()': (n) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const id = uuidv6();
      kept[i & 63] = id;
      total += id.length;
    }
    return total;
  },
  'crypto.randomUUID()': (n) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const id = crypto.randomUUID();
      kept[i & 63] = id;
      total += id.length;
    }
    return total;
  },
  "randomUUID() of 'node:crypto'": (n) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const id = randomUUID();
      kept[i & 63] = id;
      total += id.length;
    }
    return total;
  },
  'uuid.v6()': (n) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const id = uuid.v6();
      kept[i & 63] = id;
      total += id.length;
    }
    return total;
  },
  'uuid.v7()': (n) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const id = uuid.v7();
      kept[i & 63] = id;
      total += id.length;
    }
    return total;
  },
  'uuidv6() (.length only)': (n) => {
    let total = 0;
    for (let i = 0; i < n; i++) total += uuidv6().length;
    return total;
  },
  "randomUUID() of 'node:crypto' (.length only)": (n) => {
    let total = 0;
    for (let i = 0; i < n; i++) total += randomUUID().length;
    return total;
  },
  'uuidv6() as a Map key': (n) => {
    const map = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      map.set(uuidv6(), i);
      if (map.size === 1024) map.clear();
    }
    return map.size;
  },
  "randomUUID() of 'node:crypto' as a Map key": (n) => {
    const map = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      map.set(randomUUID(), i);
      if (map.size === 1024) map.clear();
    }
    return map.size;
  },
  'parseUuidV6(s)': (n) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const id = parseUuidV6(strings[i & 1023]!);
      kept[i & 63] = id;
      total += id.length;
    }
    return total;
  },
  'uuid.validate(s) && uuid.version(s) === 6': (n) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const s = strings[i & 1023]!;
      if (uuid.validate(s) && uuid.version(s) === 6) {
        kept[i & 63] = s;
        total += s.length;
      }
    }
    return total;
  },
  'uuidToBytes(s)': (n) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const bytes = uuidToBytes(strings[i & 1023]!);
      kept[i & 63] = bytes;
      total += bytes[15]!;
    }
    return total;
  },
  'uuid.parse(s)': (n) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const bytes = uuid.parse(strings[i & 1023]!);
      kept[i & 63] = bytes;
      total += bytes[15]!;
    }
    return total;
  },
  'uuidFromBytes(b)': (n) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const text = uuidFromBytes(byteArrays[i & 1023]!);
      kept[i & 63] = text;
      total += text.length;
    }
    return total;
  },
  'uuid.stringify(b)': (n) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const text = uuid.stringify(byteArrays[i & 1023]!);
      kept[i & 63] = text;
      total += text.length;
    }
    return total;
  },
  'slug()': (n) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const s = slug();
      kept[i & 63] = s;
      total += s.length;
    }
    return total;
  },
  'nanoid customAlphabet(base62, 12)()': (n) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const s = nanoid12();
      kept[i & 63] = s;
      total += s.length;
    }
    return total;
  },
  'slug(21)': (n) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const s = slug(21);
      kept[i & 63] = s;
      total += s.length;
    }
    return total;
  },
  'nanoid customAlphabet(base62, 21)()': (n) => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const s = nanoid21();
      kept[i & 63] = s;
      total += s.length;
    }
    return total;
  },
} satisfies Record<string, Loop>;

export type CaseName = keyof typeof loops;
