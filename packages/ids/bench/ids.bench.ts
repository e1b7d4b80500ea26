// pnpm --filter @org/ids bench [-- --rounds N] [--only <substring>] [--clock wall|cpu]
// ops/s of @org/ids against its peers. Every case runs alone in a fresh process (bench/runCase.ts: its own
// loop, its own warm-up), one process at a time; in each round the two sides of a pair run back to back, ours
// first in even rounds and the peer first in odd ones, and the ratio is taken round by round, so that a
// machine whose speed drifts (a shared CI box) moves both sides of a ratio alike.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { CaseName } from './cases.js';

interface Pair {
  readonly ours: CaseName;
  readonly peer: CaseName;
  /** The ratio ours/peer this package promises (issue 2, issue 13), if any. */
  readonly target?: number;
}

const pairs: Pair[] = [
  { ours: 'uuidv6()', peer: "randomUUID() of 'node:crypto'", target: 1 },
  { ours: 'uuidv6()', peer: 'crypto.randomUUID()', target: 1 },
  { ours: 'uuidv6()', peer: 'uuid.v6()', target: 10 },
  { ours: 'uuidv6()', peer: 'uuid.v7()' },
  { ours: 'uuidv6() as a Map key', peer: "randomUUID() of 'node:crypto' as a Map key" },
  { ours: 'uuidv6() (.length only)', peer: "randomUUID() of 'node:crypto' (.length only)" },
  { ours: 'parseUuidV6(s)', peer: 'uuid.validate(s) && uuid.version(s) === 6', target: 1.5 },
  { ours: 'uuidToBytes(s)', peer: 'uuid.parse(s)', target: 1 },
  { ours: 'uuidFromBytes(b)', peer: 'uuid.stringify(b)', target: 1 },
  { ours: 'slug()', peer: 'nanoid customAlphabet(base62, 12)()', target: 0.9 },
  { ours: 'slug(21)', peer: 'nanoid customAlphabet(base62, 21)()' },
];

const { values: options } = parseArgs({
  // pnpm passes a literal `--` through to the script
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    rounds: { type: 'string', default: '5' },
    only: { type: 'string' },
    'warmup-ms': { type: 'string', default: '400' },
    clock: { type: 'string', default: 'wall' },
  },
});
const rounds = Number(options.rounds);
const selected = pairs.filter(
  (pair) => options.only === undefined || `${pair.ours} ${pair.peer}`.includes(options.only),
);

const packageDir = fileURLToPath(new URL('..', import.meta.url));

if (options.clock !== 'wall' && options.clock !== 'cpu') {
  console.error('usage: ids.bench.ts [--rounds N] [--only TEXT] [--warmup-ms MS] [--clock wall|cpu]');
  process.exit(2);
}

/** Median ops/s of one case, measured in a process of its own (by wall time, or by its thread's CPU time). */
function runCase(name: CaseName): number {
  const stdout = execFileSync(
    process.execPath,
    ['--conditions=@org/source', '--import', 'tsx', 'bench/runCase.ts', name, options['warmup-ms']!],
    { cwd: packageDir, encoding: 'utf8' },
  );
  const result = JSON.parse(stdout) as { opsPerSecond: number; cpuOpsPerSecond: number };
  return options.clock === 'cpu' ? result.cpuOpsPerSecond : result.opsPerSecond;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const mops = (ops: number) => `${(ops / 1e6).toFixed(2)} M/s`;

console.log(
  `Each case in a process of its own, ${rounds} rounds, sides alternating first, ${options.clock === 'cpu' ? "the thread's CPU time" : 'wall time'}; medians, ratio = ours/peer per round (min-max).\n`,
);
const rows: string[][] = [];
for (const pair of selected) {
  const ours: number[] = [];
  const peer: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    let o: number;
    let p: number;
    if (round % 2 === 0) {
      o = runCase(pair.ours);
      p = runCase(pair.peer);
    } else {
      p = runCase(pair.peer);
      o = runCase(pair.ours);
    }
    ours.push(o);
    peer.push(p);
    ratios.push(o / p);
  }
  const ratio = median(ratios);
  const verdict =
    pair.target === undefined ? '-' : `${ratio >= pair.target ? 'met' : 'MISSED'} (>= ${pair.target}x)`;
  const row = [
    `${pair.ours} vs ${pair.peer}`,
    mops(median(ours)),
    mops(median(peer)),
    `${ratio.toFixed(2)}x (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)})`,
    verdict,
  ];
  rows.push(row);
  console.log(
    `  ${row[0]!.padEnd(66)} ${row[1]!.padStart(11)} ${row[2]!.padStart(11)}  ${row[3]!.padEnd(19)} ${row[4]}`,
  );
}

console.log('\n| case | @org/ids | peer | ratio (min-max) | target |\n| --- | ---: | ---: | ---: | --- |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
