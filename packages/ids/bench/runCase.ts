// One case of the bench in this process (see cases.ts). Two modes:
//   runCase.ts <case> [warmupMs] [slices] [sliceMs]   warms up, times `slices` slices of about `sliceMs` each and
//                                                     prints {"case", "opsPerSecond", "cpuOpsPerSecond"}: the
//                                                     median slice by wall time and by this thread's CPU time
//   runCase.ts <case> --iterations <n>                runs the loop n times and exits, for timing the whole
//                                                     process from outside (/usr/bin/time, hyperfine); n = 0 times
//                                                     start-up and set-up alone

import { type CaseName, loops } from './cases.js';

const [name, ...rest] = process.argv.slice(2);
const loop = loops[name as CaseName];
if (loop === undefined) {
  console.error(`unknown case ${JSON.stringify(name)}; cases: ${Object.keys(loops).join(', ')}`);
  process.exit(2);
}

let sink = 0;
const elapsedMs = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
/** CPU time of this thread alone: on a shared machine, unlike wall time, it leaves out time spent descheduled. */
const threadCpuMicros = () => {
  const { user, system } = process.threadCpuUsage();
  return user + system;
};
const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

if (rest[0] === '--iterations') {
  sink ^= loop(Number(rest[1]));
  if (sink === 0.5) console.log('unreachable');
} else {
  const [warmupMs = 400, slices = 7, sliceMs = 150] = rest.map(Number);
  // Warm-up: chunks of growing size until the optimising compiler has had `warmupMs` of this loop.
  let chunk = 1_000;
  let chunkMs = 0;
  const warmupStart = process.hrtime.bigint();
  while (elapsedMs(warmupStart) < warmupMs) {
    const start = process.hrtime.bigint();
    sink ^= loop(chunk);
    chunkMs = elapsedMs(start);
    if (chunkMs < sliceMs / 8) chunk *= 2;
  }
  const n = Math.max(1, Math.round((chunk * sliceMs) / Math.max(chunkMs, 0.001)));
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < slices; i++) {
    const cpuStart = threadCpuMicros();
    const start = process.hrtime.bigint();
    sink ^= loop(n);
    wall.push(n / (elapsedMs(start) / 1e3));
    cpu.push(n / ((threadCpuMicros() - cpuStart) / 1e6));
  }
  console.log(
    JSON.stringify({
      case: name,
      opsPerSecond: median(wall),
      cpuOpsPerSecond: median(cpu),
      slices: wall.map(Math.round),
      sink: sink & 1,
    }),
  );
}
