// pnpm --filter @org/ids bench: ops/s of @org/ids against its peers, measured in the same run.

import { BASE62_ALPHABET, parseUuidV6, slug, uuidToBytes, uuidv6 } from '@org/ids';
import { customAlphabet } from 'nanoid';
import * as uuid from 'uuid';
import { measure, report } from './harness.js';

const v6Strings = Array.from({ length: 1024 }, () => uuidv6() as string);
const nanoid12 = customAlphabet(BASE62_ALPHABET, 12);
const nanoid21 = customAlphabet(BASE62_ALPHABET, 21);

const lengthSum = (generate: () => string) => (n: number) => {
  let total = 0;
  for (let i = 0; i < n; i++) total += generate().length;
  return total;
};

const targets: [label: string, ratio: number, minimum: number][] = [];

const generation = report(
  'UUIDv6 generation',
  measure([
    { name: '@org/ids uuidv6()', run: lengthSum(uuidv6) },
    { name: 'uuid.v6()', run: lengthSum(uuid.v6) },
    { name: 'crypto.randomUUID() (v4, native)', run: lengthSum(() => crypto.randomUUID()) },
    { name: 'uuid.v7()', run: lengthSum(uuid.v7) },
  ]),
  '@org/ids uuidv6()',
);
targets.push(['uuidv6() vs uuid.v6()', generation.get('uuid.v6()')!, 10]);
targets.push(['uuidv6() vs crypto.randomUUID()', generation.get('crypto.randomUUID() (v4, native)')!, 0.5]);

const parsing = report(
  'Parse + validate a v6 string',
  measure([
    {
      name: '@org/ids parseUuidV6(s)',
      run: (n) => {
        let total = 0;
        for (let i = 0; i < n; i++) total += parseUuidV6(v6Strings[i & 1023]!).length;
        return total;
      },
    },
    {
      name: 'uuid.parse(s) + uuid.version(s) === 6',
      run: (n) => {
        let total = 0;
        for (let i = 0; i < n; i++) {
          const s = v6Strings[i & 1023]!;
          const bytes = uuid.parse(s);
          if (uuid.version(s) !== 6) throw new Error('not a v6');
          total += bytes[15]!;
        }
        return total;
      },
    },
    {
      name: '@org/ids uuidToBytes(s) (any version)',
      run: (n) => {
        let total = 0;
        for (let i = 0; i < n; i++) total += uuidToBytes(v6Strings[i & 1023]!)[15]!;
        return total;
      },
    },
  ]),
  '@org/ids parseUuidV6(s)',
);
targets.push([
  'parseUuidV6 vs uuid.parse + uuid.version',
  parsing.get('uuid.parse(s) + uuid.version(s) === 6')!,
  1.5,
]);

const slugs = report(
  'Slug generation (Base62, length 12)',
  measure([
    { name: '@org/ids slug()', run: lengthSum(() => slug()) },
    { name: 'nanoid customAlphabet(base62, 12)', run: lengthSum(() => nanoid12()) },
  ]),
  '@org/ids slug()',
);
targets.push([
  'slug() vs nanoid customAlphabet(base62, 12)',
  slugs.get('nanoid customAlphabet(base62, 12)')!,
  0.9,
]);

report(
  'Slug generation (Base62, length 21; ours are flat strings, nanoid returns pool slices)',
  measure([
    { name: '@org/ids slug(21)', run: lengthSum(() => slug(21)) },
    { name: 'nanoid customAlphabet(base62, 21)', run: lengthSum(() => nanoid21()) },
  ]),
  '@org/ids slug(21)',
);

console.log('\nTargets (issue 2)');
for (const [label, ratio, minimum] of targets) {
  console.log(
    `  ${ratio >= minimum ? 'met    ' : 'MISSED '} ${label}: ${ratio.toFixed(2)}x (target >= ${minimum}x)`,
  );
}
