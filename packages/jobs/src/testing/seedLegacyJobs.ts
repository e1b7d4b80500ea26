import { type JobsOptions, Queue } from 'bullmq';
import type { LegacyJobName } from '../cutover/legacyJobs.js';
import { DEFAULT_QUEUE_PREFIX, JOBS_QUEUE } from '../queueNames.js';
import type { RedisConnection } from '../redisConnection.js';

/** One job as the old system enqueued it, ready for `queue.addBulk`. */
export interface LegacyJobSpec {
  readonly name: LegacyJobName;
  readonly data: Record<string, number>;
  readonly opts: JobsOptions;
}

export interface LegacyJobBacklogOptions {
  /** Legacy integer user ids that exist (e.g. `1..users` after `seedLegacyData`). */
  legacyUserIds: readonly number[];
  /** How many legacy jobs (default 200). */
  count?: number;
}

/**
 * The backlog the old system leaves in the queue: the legacy job names with integer ids, a third delayed, a third
 * prioritized, with 3-5 attempts; 1 job in 20 names a user id that has no mapping, 1 in 5 carries a token (so 3
 * in 4 translate and 1 in 4 are quarantined).
 *
 * @example
 * const jobs = legacyJobBacklog({ legacyUserIds: [1, 2, 3], count: 100_000 });
 */
export function legacyJobBacklog(options: LegacyJobBacklogOptions): LegacyJobSpec[] {
  const count = options.count ?? 200;
  const ids = options.legacyUserIds;
  if (ids.length === 0) throw new RangeError('legacyJobBacklog needs at least one legacy user id');
  // A loop, not Math.max(...ids): spreading 200,000 ids overflows the call stack.
  let highest = 0;
  for (const id of ids) if (id > highest) highest = id;
  const unknownUserId = highest + 1_000_000;
  const jobs: LegacyJobSpec[] = [];
  for (let i = 0; i < count; i += 1) {
    const userId = ids[i % ids.length] as number;
    const opts: JobsOptions = { attempts: 3 + (i % 3), backoff: { type: 'exponential', delay: 1000 } };
    if (i % 3 === 0) opts.delay = 60_000 * (1 + (i % 60));
    if (i % 3 === 1) opts.priority = 1 + (i % 5);
    const slot = i % 20;
    let name: LegacyJobName;
    let data: Record<string, number>;
    if (slot < 8) [name, data] = ['export_user_data', { userId }];
    else if (slot < 13) [name, data] = ['purge_user_sessions', { userId }];
    else if (slot === 13) [name, data] = ['purge_user_sessions', { userId: unknownUserId }];
    else if (slot < 16) [name, data] = ['send_verification_email', { userId, tokenId: 1 + i }];
    else if (slot < 18) [name, data] = ['send_password_reset', { userId, tokenId: 1 + i }];
    else [name, data] = ['cleanup_expired_tokens', {}];
    jobs.push({ name, data, opts });
  }
  return jobs;
}

export interface SeedLegacyJobsOptions extends LegacyJobBacklogOptions {
  redis: RedisConnection;
  prefix?: string;
  queueName?: string;
  /** Called after every 1,000 jobs added. */
  onProgress?: (progress: { done: number; total: number }) => void;
}

/** Jobs per `addBulk`: one MULTI each. */
export const SEED_CHUNK = 1000;

/**
 * Fills the queue with `legacyJobBacklog` (for the demo, the tests and the bench), 1,000 jobs per `addBulk`.
 * Returns how many jobs of each name were added.
 *
 * @example
 * await seedLegacyJobs({ redis, legacyUserIds: [1, 2, 3], count: 500 });
 */
export async function seedLegacyJobs(options: SeedLegacyJobsOptions): Promise<Record<LegacyJobName, number>> {
  const jobs = legacyJobBacklog(options);
  const counts: Record<LegacyJobName, number> = {
    send_verification_email: 0,
    send_password_reset: 0,
    export_user_data: 0,
    purge_user_sessions: 0,
    cleanup_expired_tokens: 0,
  };
  for (const job of jobs) counts[job.name] += 1;
  const queue = new Queue(options.queueName ?? JOBS_QUEUE, {
    connection: options.redis,
    prefix: options.prefix ?? DEFAULT_QUEUE_PREFIX,
  });
  try {
    for (let offset = 0; offset < jobs.length; offset += SEED_CHUNK) {
      await queue.addBulk(jobs.slice(offset, offset + SEED_CHUNK));
      options.onProgress?.({ done: Math.min(offset + SEED_CHUNK, jobs.length), total: jobs.length });
    }
  } finally {
    await queue.close();
  }
  return counts;
}
