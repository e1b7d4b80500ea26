import { type DefaultJobOptions, Queue } from 'bullmq';
import { DEFAULT_JOB_OPTIONS, type JobName, type JobPayload, jobOptionsFor } from './jobCatalog.js';
import { parseJobPayload } from './parseJobPayload.js';
import { DEFAULT_QUEUE_PREFIX, JOBS_QUEUE } from './queueNames.js';
import type { RedisConnection } from './redisConnection.js';

export interface JobProducerOptions {
  /** An ioredis connection owned by the caller; `close()` leaves it open. */
  connection: RedisConnection;
  /** BullMQ key prefix (default `bull`); tests pass their own for isolation. */
  prefix?: string;
  /** Queue name (default `jobs`); tests pass their own. */
  queueName?: string;
  /** Overrides for the default attempts/backoff/retention (tests shorten the backoff). */
  defaultJobOptions?: DefaultJobOptions;
}

/** What a caller may choose per job; ids, attempts and retention follow the job catalog. */
export interface EnqueueOptions {
  /** Milliseconds before the job may run. */
  delay?: number;
  /** 1 (highest) .. 2_097_152; unset means before every prioritized job. */
  priority?: number;
}

export interface EnqueuedJob {
  id: string;
  name: JobName;
}

export interface JobProducer {
  /** Validates the payload against its schema (throws `JobPayloadError`) and adds the job. */
  enqueue<N extends JobName>(name: N, payload: JobPayload<N>, options?: EnqueueOptions): Promise<EnqueuedJob>;
  /** The underlying BullMQ queue, for admin work (counts, pause, schedulers). */
  readonly queue: Queue;
  close(): Promise<void>;
}

/**
 * The typed producer shared by the api and the worker. A payload of the wrong shape is a compile error,
 * and is rejected again at runtime before anything reaches Redis.
 *
 * @example
 * const jobs = createJobProducer({ connection: redis });
 * await jobs.enqueue('purge-user-sessions', { userId: user.id });
 * await jobs.close();
 */
export function createJobProducer(options: JobProducerOptions): JobProducer {
  const queue = new Queue(options.queueName ?? JOBS_QUEUE, {
    connection: options.connection,
    prefix: options.prefix ?? DEFAULT_QUEUE_PREFIX,
    defaultJobOptions: options.defaultJobOptions ?? DEFAULT_JOB_OPTIONS,
  });
  return {
    queue,
    async enqueue(name, payload, enqueueOptions = {}) {
      const parsed = parseJobPayload(name, payload);
      const job = await queue.add(name, parsed, { ...jobOptionsFor(name, parsed), ...enqueueOptions });
      if (job.id === undefined) throw new Error(`BullMQ returned no id for job "${name}"`);
      return { id: job.id, name };
    },
    close: () => queue.close(),
  };
}
