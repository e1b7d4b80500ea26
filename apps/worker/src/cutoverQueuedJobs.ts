import {
  DEFAULT_JOB_OPTIONS,
  DEFAULT_QUEUE_PREFIX,
  JOBS_QUEUE,
  type JobName,
  parseJobPayload,
} from '@org/jobs';
import { type Job, type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { isLegacyJobName, LEGACY_JOBS, type LegacyJobName, legacyPayloadSchemas } from './legacyJobs.js';
import { quarantineJob } from './quarantineJob.js';

/** Why a legacy job went to the failed set instead of being translated. */
export type QuarantineCause = 'token-not-mappable' | 'user-not-mapped' | 'malformed-payload';

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
  /** A plain ioredis connection (the step runs Lua and reads ranges with it; it is left open). */
  redis: Redis;
  /** Legacy integer user id -> UUIDv6, e.g. `(ids) => translateLegacyUserIds(orm, ids)` from `@org/db`. */
  translateUserIds: (legacyIds: number[]) => Promise<ReadonlyMap<number, string>>;
  prefix?: string;
  queueNames?: readonly string[];
  /** Reads and classifies every legacy job, changes nothing. */
  dryRun?: boolean;
  /** Jobs read and translated per round (default 500). */
  batchSize?: number;
  onProgress?: (progress: { queue: string; done: number; total: number }) => void;
  now?: () => number;
}

type Decision =
  | { kind: 'translate'; target: JobName; data: Record<string, unknown> }
  | { kind: 'quarantine'; cause: QuarantineCause; reason: string };

const SCANNED_STATES = ['wait', 'prioritized', 'delayed'] as const;

/**
 * The queued-jobs cutover step: every legacy job (snake_case name, integer ids; see the README) that is
 * waiting, delayed or prioritized becomes its UUID form, or goes to the failed set with its original payload
 * and a reason. No job is lost, at any instant:
 * - the queue is paused first (a marker remembers that the step paused it, so a rerun after a crash resumes
 *   it, and a queue an operator had paused stays paused);
 * - a translated job is added under a job id derived from the legacy id (`legacy-<id>`) BEFORE the legacy job
 *   is removed: after a crash between the two, the rerun's add is a no-op and it only removes the original;
 * - quarantine is one atomic Lua move to the failed set.
 * A second run finds no legacy job and changes nothing.
 *
 * @example
 * const report = await cutoverQueuedJobs({ redis, translateUserIds: (ids) => translateLegacyUserIds(orm, ids) });
 */
export async function cutoverQueuedJobs(options: QueuedJobsCutoverOptions): Promise<QueuedJobsCutoverReport> {
  const started = performance.now();
  const reports: QueueCutoverReport[] = [];
  for (const queueName of options.queueNames ?? [JOBS_QUEUE]) {
    reports.push(await cutoverQueue(queueName, options));
  }
  const sum = (key: 'found' | 'translated' | 'quarantined' | 'activeLegacy') =>
    reports.reduce((total, report) => total + report[key], 0);
  return {
    step: 'queued-jobs',
    dryRun: options.dryRun ?? false,
    found: sum('found'),
    translated: sum('translated'),
    quarantined: sum('quarantined'),
    activeLegacy: sum('activeLegacy'),
    byCause: {
      'token-not-mappable': reports.reduce(
        (total, report) => total + report.byCause['token-not-mappable'],
        0,
      ),
      'user-not-mapped': reports.reduce((total, report) => total + report.byCause['user-not-mapped'], 0),
      'malformed-payload': reports.reduce((total, report) => total + report.byCause['malformed-payload'], 0),
    },
    queues: reports,
    durationMs: Math.round(performance.now() - started),
  };
}

async function cutoverQueue(
  queueName: string,
  options: QueuedJobsCutoverOptions,
): Promise<QueueCutoverReport> {
  const { redis } = options;
  const dryRun = options.dryRun ?? false;
  const now = options.now ?? Date.now;
  const batchSize = options.batchSize ?? 500;
  const queue = new Queue(queueName, {
    connection: redis,
    prefix: options.prefix ?? DEFAULT_QUEUE_PREFIX,
    defaultJobOptions: DEFAULT_JOB_OPTIONS,
  });
  const pausedMarker = queue.toKey('cutover-paused');
  const report: QueueCutoverReport = {
    queue: queueName,
    found: 0,
    translated: 0,
    quarantined: 0,
    byCause: { 'token-not-mappable': 0, 'user-not-mapped': 0, 'malformed-payload': 0 },
    activeLegacy: 0,
  };
  try {
    if (!dryRun && !(await queue.isPaused())) {
      await redis.set(pausedMarker, '1');
      await queue.pause();
    }
    const ids = [...new Set((await queue.getRanges([...SCANNED_STATES], 0, -1, true)).map(String))];
    for (let offset = 0; offset < ids.length; offset += batchSize) {
      const jobs = (
        await Promise.all(ids.slice(offset, offset + batchSize).map((id) => queue.getJob(id)))
      ).filter((job): job is Job => job !== undefined && isLegacyJobName(job.name));
      const decisions = await decide(jobs, options.translateUserIds);
      for (const job of jobs) {
        const decision = decisions.get(job) as Decision;
        report.found += 1;
        if (decision.kind === 'translate') {
          report.translated += 1;
          if (!dryRun) await translate(queue, redis, job, decision);
        } else {
          report.quarantined += 1;
          report.byCause[decision.cause] += 1;
          if (!dryRun) await quarantineJob(redis, queue, job.id as string, decision.reason, now());
        }
      }
      options.onProgress?.({
        queue: queueName,
        done: Math.min(offset + batchSize, ids.length),
        total: ids.length,
      });
    }
    const active = await queue.getJobs(['active']);
    report.activeLegacy = active.filter((job) => isLegacyJobName(job.name)).length;
    if (!dryRun && (await redis.get(pausedMarker)) !== null) {
      await queue.resume();
      await redis.del(pausedMarker);
    }
    return report;
  } finally {
    await queue.close();
  }
}

async function decide(
  jobs: readonly Job[],
  translateUserIds: QueuedJobsCutoverOptions['translateUserIds'],
): Promise<Map<Job, Decision>> {
  const decisions = new Map<Job, Decision>();
  const pending = new Map<Job, { name: LegacyJobName; userId: number }>();
  for (const job of jobs) {
    const name = job.name as LegacyJobName;
    const parsed = legacyPayloadSchemas[name].safeParse(job.data);
    if (!parsed.success) {
      const issues = parsed.error.issues.map(
        (issue) => `${issue.path.join('.') || 'payload'}: ${issue.message}`,
      );
      decisions.set(job, {
        kind: 'quarantine',
        cause: 'malformed-payload',
        reason: `legacy job ${name} #${job.id} does not match the legacy payload layout (${issues.join('; ')}); original payload kept`,
      });
    } else if (LEGACY_JOBS[name].carriesToken) {
      decisions.set(job, {
        kind: 'quarantine',
        cause: 'token-not-mappable',
        reason:
          `legacy job ${name} #${job.id} names token ${String(Reflect.get(parsed.data, 'tokenId'))}: tokens keep no ` +
          'legacy id after the cutover and only their hash is stored, so this email cannot be rebuilt; the user ' +
          'must request a new token (resend verification / password reset); original payload kept',
      });
    } else if ('userId' in parsed.data) {
      pending.set(job, { name, userId: parsed.data.userId });
    } else {
      decisions.set(job, { kind: 'translate', target: LEGACY_JOBS[name].target, data: {} });
    }
  }
  const legacyIds = [...new Set([...pending.values()].map((entry) => entry.userId))];
  const mapping = legacyIds.length > 0 ? await translateUserIds(legacyIds) : new Map<number, string>();
  for (const [job, { name, userId }] of pending) {
    const uuid = mapping.get(userId);
    decisions.set(
      job,
      uuid === undefined
        ? {
            kind: 'quarantine',
            cause: 'user-not-mapped',
            reason: `legacy job ${name} #${job.id}: userId ${userId} has no row in legacy_user_ids (no such user at the cutover); original payload kept`,
          }
        : { kind: 'translate', target: LEGACY_JOBS[name].target, data: { userId: uuid } },
    );
  }
  return decisions;
}

async function translate(queue: Queue, redis: Redis, job: Job, decision: Decision & { kind: 'translate' }) {
  const data = parseJobPayload(decision.target, decision.data);
  const opts: JobsOptions = {
    jobId: `legacy-${job.id}`,
    timestamp: job.timestamp,
    attempts: Math.max(1, (job.opts.attempts ?? 1) - job.attemptsMade),
    backoff: job.opts.backoff ?? DEFAULT_JOB_OPTIONS.backoff,
  };
  if (job.opts.priority) opts.priority = job.opts.priority;
  const delayedScore = await redis.zscore(queue.keys.delayed as string, job.id as string);
  if (delayedScore !== null) {
    // BullMQ scores a delayed job as due-time * 0x1000 + a tie-breaking counter.
    const due = Math.floor(Number(delayedScore) / 0x1000);
    opts.delay = Math.max(1, due - job.timestamp);
  }
  await queue.add(decision.target, data, opts);
  await job.remove();
}
