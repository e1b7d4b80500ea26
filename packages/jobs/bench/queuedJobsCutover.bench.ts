/**
 * Queued-jobs cutover benchmark (a script, not a test): the step against `addBulk` of the same jobs, measured
 * in the same run on the same Redis. Each round seeds a fresh queue with the legacy backlog of the demo and the
 * tests (a third delayed, a third prioritized; 3 in 4 translate, 1 in 4 are quarantined), then times, in an
 * order that alternates from round to round:
 *   - addBulk: the same jobs added to another fresh queue, 1,000 per call (as seeding does);
 *   - step: `migrateQueuedJobs` on the seeded queue (read, translate through legacy_user_ids, add, remove,
 *     quarantine).
 * Prints every round, the medians and step/addBulk. Target: at most 3x.
 *
 *   pnpm --filter @org/jobs bench                        # 100,000 jobs, 3 rounds
 *   pnpm --filter @org/jobs bench -- --jobs 20000 --rounds 5
 */
import { randomBytes } from 'node:crypto';
import { createProgress, processIo, runCommand, UsageError } from '@org/cli';
import { initOrm, type Orm, UserIds } from '@org/db';
import { createTestDatabase } from '@org/db/testing';
import { connectRedis } from '@org/sessions';
import { deleteKeysWithPrefix } from '@org/sessions/testing';
import { Queue } from 'bullmq';
import { JOBS_QUEUE, migrateQueuedJobs, type QueuedJobsCutoverReport } from '../src/index.js';
import { legacyJobBacklog, SEED_CHUNK, seedLegacyJobs } from '../src/testing/index.js';

const spec = {
  name: 'queued-jobs bench',
  usage: `usage: pnpm --filter @org/jobs bench [-- --jobs N --rounds R --users U --batch-size B]
  --jobs N        legacy jobs per round (default 100000)
  --rounds R      rounds, alternating which of the two runs first (default 3)
  --users U       legacy users with a row in legacy_user_ids (default 10000)
  --batch-size B  the step's batch size (default: the step's own, 1000)
Needs PostgreSQL (a database of its own, dropped afterwards) and Redis at REDIS_URL.`,
  options: {
    jobs: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '3' },
    users: { type: 'string', default: '10000' },
    'batch-size': { type: 'string' },
  },
} as const;

const positive = (flag: string, raw: string): number => {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new UsageError(`--${flag} must be a positive integer, got "${raw}"`);
  return value;
};
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

process.exitCode = await runCommand(spec, process.argv.slice(2), processIo(), async (values, io) => {
  const jobs = positive('jobs', values.jobs);
  const rounds = positive('rounds', values.rounds);
  const users = positive('users', values.users);
  const batchSize =
    values['batch-size'] === undefined ? undefined : positive('batch-size', values['batch-size']);
  const log = (line: string) => io.stderr.write(`${line}\n`);
  const progress = createProgress(io.stderr);

  const created = await createTestDatabase({ state: 'migrated' });
  const orm = await initOrm({ clientUrl: created.url });
  const redis = await connectRedis(io.env.REDIS_URL || 'redis://127.0.0.1:6379', { connectionName: 'bench' });
  const runId = randomBytes(4).toString('hex');
  try {
    await mapLegacyUsers(orm, users);
    const legacyUserIds = Array.from({ length: users }, (_, index) => index + 1);
    const backlog = legacyJobBacklog({ legacyUserIds, count: jobs });
    const results: { addBulkMs: number; stepMs: number; report: QueuedJobsCutoverReport }[] = [];
    for (let round = 1; round <= rounds; round += 1) {
      const stepPrefix = `bench-${runId}-${round}-step`;
      const addBulkPrefix = `bench-${runId}-${round}-addbulk`;
      try {
        await seedLegacyJobs({
          redis,
          prefix: stepPrefix,
          legacyUserIds,
          count: jobs,
          onProgress: ({ done, total }) =>
            progress.update(`round ${round}: seeding ${done}/${total} legacy jobs`),
        });
        progress.done();
        const timeAddBulk = async () => {
          const queue = new Queue(JOBS_QUEUE, { connection: redis, prefix: addBulkPrefix });
          const started = performance.now();
          for (let offset = 0; offset < backlog.length; offset += SEED_CHUNK) {
            await queue.addBulk(backlog.slice(offset, offset + SEED_CHUNK));
          }
          const ms = performance.now() - started;
          await queue.close();
          return ms;
        };
        const timeStep = async () => {
          const started = performance.now();
          const report = await migrateQueuedJobs({
            redis,
            orm,
            prefix: stepPrefix,
            ...(batchSize === undefined ? {} : { batchSize }),
          });
          return { ms: performance.now() - started, report };
        };
        let addBulkMs: number;
        let step: { ms: number; report: QueuedJobsCutoverReport };
        if (round % 2 === 1) {
          addBulkMs = await timeAddBulk();
          step = await timeStep();
        } else {
          step = await timeStep();
          addBulkMs = await timeAddBulk();
        }
        results.push({ addBulkMs, stepMs: step.ms, report: step.report });
        const { found, translated, quarantined } = step.report;
        log(
          `round ${round} (${round % 2 === 1 ? 'addBulk first' : 'step first'}): addBulk ${seconds(addBulkMs)}, ` +
            `step ${seconds(step.ms)} (${Math.round(found / (step.ms / 1000)).toLocaleString('en-US')} jobs/s; ` +
            `found ${found}, translated ${translated}, quarantined ${quarantined}), ratio ${(step.ms / addBulkMs).toFixed(2)}x`,
        );
      } finally {
        await deleteKeysWithPrefix(redis, `${stepPrefix}:`);
        await deleteKeysWithPrefix(redis, `${addBulkPrefix}:`);
      }
    }
    const addBulkMs = median(results.map((r) => r.addBulkMs));
    const stepMs = median(results.map((r) => r.stepMs));
    const last = results.at(-1)?.report;
    io.stdout.write(
      `queued-jobs cutover of ${jobs.toLocaleString('en-US')} legacy jobs (${users.toLocaleString('en-US')} mapped users), ` +
        `median of ${rounds} round(s):\n` +
        `  addBulk of the same jobs  ${seconds(addBulkMs)}\n` +
        `  cutover step              ${seconds(stepMs)}  (found ${last?.found}, translated ${last?.translated}, quarantined ${last?.quarantined})\n` +
        `  step / addBulk            ${(stepMs / addBulkMs).toFixed(2)}x  (target: at most 3x)\n` +
        `  rounds                    ${results.map((r) => `${(r.stepMs / r.addBulkMs).toFixed(2)}x`).join(', ')}\n`,
    );
    return 0;
  } finally {
    redis.disconnect();
    await orm.close();
    await created.drop();
  }
});

/** `legacy_user_ids` rows for legacy users 1..users, as the database step leaves them. */
async function mapLegacyUsers(orm: Orm, users: number): Promise<void> {
  for (let first = 1; first <= users; first += 5000) {
    const rows: string[] = [];
    for (let id = first; id < Math.min(first + 5000, users + 1); id += 1)
      rows.push(`(${id}, '${UserIds.newId()}')`);
    await orm.em
      .getConnection()
      .execute(`INSERT INTO legacy_user_ids (legacy_id, user_id) VALUES ${rows.join(', ')}`);
  }
}
