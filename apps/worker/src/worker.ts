import type { UserId } from '@org/db';
import { isUuidV6 } from '@org/ids';
import {
  DEFAULT_QUEUE_PREFIX,
  describeIssues,
  EMAIL_JOB_NAMES,
  type EmailJobName,
  isEmailJobName,
  isLegacyJobName,
  JOBS_QUEUE,
  type JobPayload,
  JobPayloadError,
  parseJobPayload,
  scrubbedEmailPayloadSchema,
  UnknownJobError,
} from '@org/jobs';
import type { RedisClient } from '@org/sessions';
import { type Job, type Processor, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import { JobRejectedError, ShutdownRequestedError } from './errors.js';
import type { JobContext, WorkerDeps } from './jobContext.js';
import { cleanupExpiredTokens } from './jobs/cleanupExpiredTokens.js';
import { deleteAccountsPastGrace } from './jobs/deleteAccountsPastGrace.js';
import { exportUserData } from './jobs/exportUserData.js';
import { purgeUserSessions } from './jobs/purgeUserSessions.js';
import { removeExpiredExports } from './jobs/removeExpiredExports.js';
import { sendTokenEmail, type TokenEmailPayload } from './jobs/sendTokenEmail.js';

const emailJobs: ReadonlySet<string> = new Set(EMAIL_JOB_NAMES);

/** A job that passed the boundary: its name, its parsed payload of that name, and the user it concerns. */
export type ParsedJob =
  | { readonly name: EmailJobName; readonly userId: UserId; readonly payload: TokenEmailPayload }
  | {
      readonly name: 'export-user-data';
      readonly userId: UserId;
      readonly payload: JobPayload<'export-user-data'>;
    }
  | {
      readonly name: 'purge-user-sessions';
      readonly userId: UserId;
      readonly payload: JobPayload<'purge-user-sessions'>;
    }
  | {
      readonly name: 'cleanup-expired-tokens' | 'remove-expired-exports' | 'delete-accounts-past-grace';
      readonly userId: null;
      readonly payload: Record<string, never>;
    };

/**
 * Parses a job at the worker's boundary. Email jobs may arrive in their scrubbed form (secret removed after
 * delivery); every other payload must match its producer schema exactly. Throws `JobRejectedError` with the
 * field-by-field reason (`userId: expected a UUIDv6 string, got number 123`), never guesses an id.
 */
export function parseJobAtBoundary(job: Pick<Job, 'name' | 'data'>): ParsedJob {
  try {
    if (isEmailJobName(job.name)) {
      const result = scrubbedEmailPayloadSchema.safeParse(job.data);
      if (!result.success) {
        throw new JobPayloadError(
          job.name,
          describeIssues(scrubbedEmailPayloadSchema, job.data, result.error.issues),
        );
      }
      return { name: job.name, userId: result.data.userId, payload: result.data };
    }
    switch (job.name) {
      case 'export-user-data': {
        const payload = parseJobPayload('export-user-data', job.data);
        return { name: job.name, userId: payload.userId, payload };
      }
      case 'purge-user-sessions': {
        const payload = parseJobPayload('purge-user-sessions', job.data);
        return { name: job.name, userId: payload.userId, payload };
      }
      case 'cleanup-expired-tokens':
      case 'remove-expired-exports':
      case 'delete-accounts-past-grace':
        return { name: job.name, userId: null, payload: parseJobPayload(job.name, job.data) };
      default:
        throw new UnknownJobError(job.name);
    }
  } catch (error) {
    if (error instanceof UnknownJobError && isLegacyJobName(job.name)) {
      throw new JobRejectedError(
        `${error.message}: a legacy job with integer ids; run the queued-jobs cutover step (pnpm migrate) to translate it`,
      );
    }
    if (error instanceof JobPayloadError || error instanceof UnknownJobError) {
      throw new JobRejectedError(error.message);
    }
    throw error;
  }
}

/**
 * Builds the BullMQ processor: validate at the boundary, run the job's handler with a child logger that
 * names the job, its id and the user UUID on every line, hand the job back on shutdown, and remove the
 * email secret from the stored job once it is no longer needed.
 */
export function createProcessor(deps: WorkerDeps, options: { isClosing?: () => boolean } = {}): Processor {
  const now = deps.now ?? (() => new Date());
  return async (job, token, signal) => {
    const attempt = job.attemptsMade + 1;
    // A blocking fetch already in flight when close() starts can still return one job: give it back untouched.
    if (options.isClosing?.() && token !== undefined) {
      await job.moveToWait(token);
      deps.logger
        .child({ job: job.name, jobId: job.id, userId: userIdOf(job.data) })
        .info({ attempt }, 'shutdown: job fetched while closing, handed back unstarted');
      throw new WaitingError();
    }
    let parsed: ParsedJob;
    try {
      parsed = parseJobAtBoundary(job);
    } catch (error) {
      deps.logger
        .child({ job: job.name, jobId: job.id, userId: null })
        .error({ attempt, reason: (error as Error).message }, 'job rejected at the boundary');
      if (emailJobs.has(job.name)) await scrubSecret(job);
      throw error;
    }
    const log = deps.logger.child({ job: job.name, jobId: job.id, userId: parsed.userId });
    const context: JobContext = { job, log, signal, now };
    log.info({ attempt }, 'job started');
    try {
      const result = await run(parsed, context, deps);
      if (emailJobs.has(job.name)) await scrubSecret(job);
      log.info({ result }, 'job completed');
      return result;
    } catch (error) {
      if (error instanceof ShutdownRequestedError && token !== undefined) {
        await job.moveToWait(token);
        log.warn({ attempt }, 'shutdown: job handed back to the queue');
        throw new WaitingError();
      }
      const final = error instanceof UnrecoverableError || attempt >= (job.opts.attempts ?? 1);
      if (final && emailJobs.has(job.name)) await scrubSecret(job);
      const fields = { attempt, final, err: error };
      if (final) log.error(fields, 'job failed');
      else log.warn(fields, 'job attempt failed; will retry');
      throw error;
    }
  };
}

function run(parsed: ParsedJob, context: JobContext, deps: WorkerDeps): Promise<unknown> {
  switch (parsed.name) {
    case 'send-verification-email':
    case 'send-password-reset':
      return sendTokenEmail(parsed.name, parsed.payload, context, deps);
    case 'export-user-data':
      return exportUserData(parsed.payload, context, deps);
    case 'purge-user-sessions':
      return purgeUserSessions(parsed.payload, context, deps);
    case 'cleanup-expired-tokens':
      return cleanupExpiredTokens(context, deps);
    case 'remove-expired-exports':
      return removeExpiredExports(context, deps);
    case 'delete-accounts-past-grace':
      return deleteAccountsPastGrace(context, deps);
  }
}

/** The user UUID of a not yet validated payload, for log lines; null unless it is a valid UUIDv6. */
function userIdOf(data: unknown): string | null {
  const userId: unknown = data !== null && typeof data === 'object' ? Reflect.get(data, 'userId') : undefined;
  return isUuidV6(userId) ? userId : null;
}

/** Rewrites an email job's stored data without its secret, so finished jobs never keep it in Redis. */
async function scrubSecret(job: Job): Promise<void> {
  const data: unknown = job.data;
  if (data === null || typeof data !== 'object' || !Object.hasOwn(data, 'secret')) return;
  const { secret: _secret, ...rest } = data as Record<string, unknown>;
  await job.updateData(rest);
}

export interface JobWorkerOptions {
  deps: WorkerDeps;
  /** A connection with `maxRetriesPerRequest: null` (see `createRedisConnection`). */
  connection: RedisClient;
  prefix?: string;
  queueName?: string;
  concurrency?: number;
  /** Starts fetching at once (default true); tests may start it later with `worker.run()`. */
  autorun?: boolean;
  /** How long a job's lock lasts without renewal: a crashed worker's job is handed back after it. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

/**
 * The BullMQ worker for every job in the catalog.
 *
 * @example
 * const worker = createJobWorker({ deps, connection: createRedisConnection(env.REDIS_URL) });
 * await closeWorkerGracefully(worker, { timeoutMs: 10_000 });
 */
export function createJobWorker(options: JobWorkerOptions): Worker {
  let closing = false;
  const processor = createProcessor(options.deps, { isClosing: () => closing });
  const worker = new Worker(options.queueName ?? JOBS_QUEUE, processor, {
    connection: options.connection,
    prefix: options.prefix ?? DEFAULT_QUEUE_PREFIX,
    concurrency: options.concurrency ?? 8,
    autorun: options.autorun ?? true,
    ...(options.lockDurationMs !== undefined ? { lockDuration: options.lockDurationMs } : {}),
    ...(options.stalledIntervalMs !== undefined ? { stalledInterval: options.stalledIntervalMs } : {}),
  });
  worker.on('closing', () => {
    closing = true;
  });
  worker.on('error', (error) => options.deps.logger.error({ err: error }, 'worker error'));
  return worker;
}
