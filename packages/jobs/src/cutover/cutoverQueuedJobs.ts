import { type JobsOptions, Queue } from 'bullmq';
import { DEFAULT_JOB_OPTIONS } from '../jobCatalog.js';
import { parseJobPayload } from '../parseJobPayload.js';
import { DEFAULT_QUEUE_PREFIX, JOBS_QUEUE } from '../queueNames.js';
import type { RedisConnection } from '../redisConnection.js';
import {
  type Decision,
  decideLegacyJobs,
  type QuarantineCause,
  type TranslateUserIds,
} from './decideLegacyJobs.js';
import { finishLegacyBatch } from './finishLegacyBatch.js';
import { isLegacyJobName } from './legacyJobs.js';
import { type LegacyJob, readLegacyJobs, snapshotWaitingJobIds } from './readQueuedJobs.js';

export interface QueueCutoverReport {
  queue: string;
  /** Legacy jobs found waiting, delayed or prioritized. */
  found: number;
  translated: number;
  quarantined: number;
  byCause: Record<QuarantineCause, number>;
  /** Legacy jobs an old worker is running right now: left alone (stop old workers first, see README). */
  activeLegacy: number;
}

export interface QueuedJobsCutoverReport {
  step: 'queued-jobs';
  dryRun: boolean;
  found: number;
  translated: number;
  quarantined: number;
  activeLegacy: number;
  byCause: Record<QuarantineCause, number>;
  queues: QueueCutoverReport[];
  durationMs: number;
}

export interface QueuedJobsCutoverOptions {
  /** A plain ioredis connection, owned by the caller (the step reads, adds and runs Lua with it; left open). */
  redis: RedisConnection;
  /** Legacy integer user id -> UUIDv6, e.g. `(ids) => translateLegacyUserIds(orm, ids)` from `@org/db`. */
  translateUserIds: TranslateUserIds;
  prefix?: string;
  queueNames?: readonly string[];
  /** Reads and classifies every legacy job; writes nothing at all (not even BullMQ's queue metadata). */
  dryRun?: boolean;
  /** Jobs read, translated and written per round trip (default 1000, at most 5000: a batch's ids are the
   *  arguments of one Lua call). */
  batchSize?: number;
  onProgress?: (progress: { queue: string; done: number; total: number }) => void;
  now?: () => number;
}

const emptyCauses = (): Record<QuarantineCause, number> => ({
  'token-not-mappable': 0,
  'user-not-mapped': 0,
  'malformed-payload': 0,
});

/**
 * The queued-jobs cutover step: every legacy job (snake_case name, integer ids; see the README) that is
 * waiting, delayed or prioritized becomes its UUID form, or goes to the failed set with its original payload
 * and a reason. It works in batches, a few round trips each: one pipeline reads the batch's hashes, one query
 * translates its user ids, one `addBulk` adds the translations, one Lua script removes the originals and
 * quarantines the rest. No job is lost, at any instant:
 * - the queue is paused first (a marker remembers that the step paused it, so a rerun after a crash resumes
 *   it, and a queue an operator had paused stays paused);
 * - a translation is added under a job id derived from the legacy id (`legacy-<id>`), and the original is
 *   removed only once that job exists: after a crash between the two, the rerun's add is a no-op (same id) and
 *   it removes the original;
 * - quarantine is the same atomic Lua script.
 * A second run finds no legacy job and changes nothing.
 *
 * @example
 * const report = await cutoverQueuedJobs({ redis, translateUserIds: (ids) => translateLegacyUserIds(orm, ids) });
 */
export async function cutoverQueuedJobs(options: QueuedJobsCutoverOptions): Promise<QueuedJobsCutoverReport> {
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 5000) {
    throw new RangeError(`batchSize must be an integer from 1 to 5000, got ${batchSize}`);
  }
  const started = performance.now();
  const queues: QueueCutoverReport[] = [];
  for (const queueName of options.queueNames ?? [JOBS_QUEUE]) {
    queues.push(await cutoverQueue(queueName, { ...options, batchSize }));
  }
  const sum = (pick: (report: QueueCutoverReport) => number) =>
    queues.reduce((total, report) => total + pick(report), 0);
  const byCause = emptyCauses();
  for (const cause of Object.keys(byCause) as QuarantineCause[])
    byCause[cause] = sum((q) => q.byCause[cause]);
  return {
    step: 'queued-jobs',
    dryRun: options.dryRun ?? false,
    found: sum((q) => q.found),
    translated: sum((q) => q.translated),
    quarantined: sum((q) => q.quarantined),
    activeLegacy: sum((q) => q.activeLegacy),
    byCause,
    queues,
    durationMs: Math.round(performance.now() - started),
  };
}

async function cutoverQueue(
  queueName: string,
  options: QueuedJobsCutoverOptions & { batchSize: number },
): Promise<QueueCutoverReport> {
  const { redis, batchSize } = options;
  const dryRun = options.dryRun ?? false;
  const now = options.now ?? Date.now;
  const queue = new Queue(queueName, {
    connection: redis,
    prefix: options.prefix ?? DEFAULT_QUEUE_PREFIX,
    defaultJobOptions: DEFAULT_JOB_OPTIONS,
    // A new Queue writes its version into `<prefix>:<queue>:meta`; a dry run writes nothing anywhere.
    skipMetasUpdate: dryRun,
  });
  const pausedMarker = queue.toKey('cutover-paused');
  const report: QueueCutoverReport = {
    queue: queueName,
    found: 0,
    translated: 0,
    quarantined: 0,
    byCause: emptyCauses(),
    activeLegacy: 0,
  };
  try {
    if (!dryRun && !(await queue.isPaused())) {
      await redis.set(pausedMarker, '1');
      await queue.pause();
    }
    const { ids, delayedScores } = await snapshotWaitingJobIds(redis, queue);
    for (let offset = 0; offset < ids.length; offset += batchSize) {
      const jobs = await readLegacyJobs(redis, queue, ids.slice(offset, offset + batchSize), delayedScores);
      const decisions = await decideLegacyJobs(jobs, options.translateUserIds);
      const translated: { job: LegacyJob; decision: Decision & { kind: 'translate' } }[] = [];
      const quarantined: { id: string; reason: string }[] = [];
      for (const [index, job] of jobs.entries()) {
        const decision = decisions[index] as Decision;
        report.found += 1;
        if (decision.kind === 'translate') {
          report.translated += 1;
          translated.push({ job, decision });
        } else {
          report.quarantined += 1;
          report.byCause[decision.cause] += 1;
          quarantined.push({ id: job.id, reason: decision.reason });
        }
      }
      if (!dryRun) {
        if (translated.length > 0) {
          await queue.addBulk(translated.map(({ job, decision }) => translation(job, decision)));
        }
        await finishLegacyBatch(
          redis,
          queue,
          {
            translated: translated.map(({ job }) => ({ id: job.id, deduplicationId: job.deduplicationId })),
            quarantined,
          },
          now(),
        );
      }
      options.onProgress?.({
        queue: queueName,
        done: Math.min(offset + batchSize, ids.length),
        total: ids.length,
      });
    }
    report.activeLegacy = await countActiveLegacyJobs(redis, queue);
    if (!dryRun && (await redis.get(pausedMarker)) !== null) {
      await queue.resume();
      await redis.del(pausedMarker);
    }
    return report;
  } finally {
    await queue.close();
  }
}

/**
 * The new job for a legacy one: its payload checked against the catalog, under `legacy-<id>`, with the same
 * timestamp, due time, priority and backoff, and the attempts it had left (at least one).
 */
function translation(job: LegacyJob, decision: Decision & { kind: 'translate' }) {
  const opts: JobsOptions = {
    jobId: `legacy-${job.id}`,
    timestamp: job.timestamp,
    attempts: Math.max(1, (job.opts.attempts ?? 1) - job.attemptsMade),
    backoff: job.opts.backoff ?? DEFAULT_JOB_OPTIONS.backoff,
  };
  if (job.opts.priority) opts.priority = job.opts.priority;
  if (job.dueAt !== undefined) opts.delay = Math.max(1, job.dueAt - job.timestamp);
  return { name: decision.target, data: parseJobPayload(decision.target, decision.data), opts };
}

async function countActiveLegacyJobs(redis: RedisConnection, queue: Queue): Promise<number> {
  const active = await redis.lrange(queue.keys.active as string, 0, -1);
  if (active.length === 0) return 0;
  const pipeline = redis.pipeline();
  for (const id of active) pipeline.hget(queue.toKey(id), 'name');
  const names = (await pipeline.exec()) ?? [];
  return names.filter(([, name]) => typeof name === 'string' && isLegacyJobName(name)).length;
}
