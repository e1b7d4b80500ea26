/** A minimal same-run benchmark harness: interleaved rounds, best-of ops/s, no dependencies. */
export interface Case {
  readonly name: string;
  /** Runs the operation `n` times and returns something derived from the results (defeats dead-code elimination). */
  readonly run: (n: number) => number;
}

export interface Result {
  readonly name: string;
  readonly opsPerSecond: number;
}

let sink = 0;

/** Measures each case in `rounds` interleaved rounds of ~`roundMs` and keeps each case's best round. */
export function measure(cases: readonly Case[], { rounds = 7, roundMs = 150 } = {}): Result[] {
  const iterations = cases.map((c) => {
    let n = 1_000;
    for (;;) {
      const start = process.hrtime.bigint();
      sink ^= c.run(n);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (ms > roundMs / 4) return Math.max(1, Math.round((n * roundMs) / ms));
      n *= 4;
    }
  });
  const best = cases.map(() => 0);
  for (let round = 0; round < rounds; round++) {
    cases.forEach((c, i) => {
      const n = iterations[i]!;
      const start = process.hrtime.bigint();
      sink ^= c.run(n);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      best[i] = Math.max(best[i]!, n / seconds);
    });
  }
  if (sink === 0.5) console.log('unreachable');
  return cases.map((c, i) => ({ name: c.name, opsPerSecond: best[i]! }));
}

const format = (ops: number) => `${(ops / 1e6).toFixed(2).padStart(8)} M ops/s`;

/** Prints ops/s of each result and its ratio against `baseline` results; returns the ratios by name. */
export function report(title: string, results: readonly Result[], ours: string): Map<string, number> {
  console.log(`\n${title}`);
  const mine = results.find((r) => r.name === ours)!;
  const ratios = new Map<string, number>();
  for (const r of results) {
    const ratio = mine.opsPerSecond / r.opsPerSecond;
    ratios.set(r.name, ratio);
    console.log(
      `  ${r.name.padEnd(44)} ${format(r.opsPerSecond)}${r === mine ? '' : `   ours = ${ratio.toFixed(2)}x`}`,
    );
  }
  return ratios;
}
