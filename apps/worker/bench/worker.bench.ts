/**
 * Throughput of a no-op job through the full path (typed enqueue with zod validation, boundary validation
 * in the worker, processing) against the same job enqueued and processed without validation, same run,
 * alternating the order each round. Prints jobs/s and the ratio (target >= 0.9x).
 *
 * BENCH_JOBS (default 8000) jobs per measurement, BENCH_ROUNDS (default 9) rounds (a shared machine's noise
 * swings single rounds by +-15%); needs Redis at REDIS_URL. Also prints the CPU cost of one validation.
 */
import { randomUUID } from 'node:crypto';
import { parseArgvOrExit } from '@org/cli';
import { UserIds } from '@org/db';
import { createJobProducer, JOBS_QUEUE, jobOptionsFor, parseJobPayload } from '@org/jobs';
import { type Processor, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createRedisConnection } from '../src/redisConnection.js';
import { parseJobAtBoundary } from '../src/worker.js';

// No flags: --help prints this, anything else is a usage error (exit 2).
parseArgvOrExit({
  name: 'worker bench',
  usage:
    'usage: pnpm --filter @org/worker bench\n\nEnvironment: BENCH_JOBS (default 8000) jobs per measurement, BENCH_ROUNDS (default 9), REDIS_URL.',
  options: {},
});

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const JOBS = Number(process.env.BENCH_JOBS ?? 8000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const CONCURRENCY = 16;
const ENQUEUE_BATCH = 100;

type Variant = 'validated' | 'raw';

async function measure(variant: Variant): Promise<number> {
  const prefix = `bench-${randomUUID()}`;
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const workerConnection = createRedisConnection(REDIS_URL, 'bench-worker');
  const producer = createJobProducer({
    connection: redis,
    prefix,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
  });
  const userIds = Array.from({ length: JOBS }, () => UserIds.newId());
  let completed = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const processor: Processor =
    variant === 'validated'
      ? async (job) => {
          parseJobAtBoundary(job);
        }
      : async () => {};
  const worker = new Worker(JOBS_QUEUE, processor, {
    connection: workerConnection,
    prefix,
    concurrency: CONCURRENCY,
  });
  worker.on('completed', () => {
    completed += 1;
    if (completed === JOBS) done();
  });
  await worker.waitUntilReady();

  const started = performance.now();
  for (let offset = 0; offset < JOBS; offset += ENQUEUE_BATCH) {
    const batch = userIds.slice(offset, offset + ENQUEUE_BATCH);
    await Promise.all(
      batch.map((userId) =>
        variant === 'validated'
          ? producer.enqueue('purge-user-sessions', { userId })
          : producer.queue.add(
              'purge-user-sessions',
              { userId },
              jobOptionsFor('purge-user-sessions', { userId }),
            ),
      ),
    );
  }
  await finished;
  const seconds = (performance.now() - started) / 1000;

  await worker.close();
  await producer.queue.obliterate({ force: true });
  await producer.close();
  workerConnection.disconnect();
  redis.disconnect();
  return JOBS / seconds;
}

const results: Record<Variant, number[]> = { validated: [], raw: [] };
// Warm-up (JIT, connections, Redis script cache) for both variants, not counted.
await measure('raw');
await measure('validated');
for (let round = 0; round < ROUNDS; round += 1) {
  const order: Variant[] = round % 2 === 0 ? ['validated', 'raw'] : ['raw', 'validated'];
  for (const variant of order) results[variant].push(await measure(variant));
  console.log(
    `round ${round + 1}: validated ${results.validated.at(-1)?.toFixed(0)} jobs/s, raw ${results.raw.at(-1)?.toFixed(0)} jobs/s`,
  );
}
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const validated = median(results.validated);
const raw = median(results.raw);
console.log(`\nno-op job, ${JOBS} jobs x ${ROUNDS} rounds, concurrency ${CONCURRENCY} (median):`);
console.log(`  full path (enqueue + zod validation + processing): ${validated.toFixed(0)} jobs/s`);
console.log(`  without validation:                                ${raw.toFixed(0)} jobs/s`);
console.log(`  ratio: ${(validated / raw).toFixed(3)}x (target >= 0.9x)`);

const sample = Array.from({ length: 1024 }, () => UserIds.newId());
const parses = 500_000;
const t0 = performance.now();
for (let i = 0; i < parses; i += 1) parseJobPayload('purge-user-sessions', { userId: sample[i & 1023] });
const perParse = ((performance.now() - t0) * 1000) / parses;
console.log(
  `  one zod validation: ${perParse.toFixed(2)} us (the full path validates twice: at enqueue and in the worker; a job costs ${(1e6 / raw).toFixed(0)} us)`,
);
