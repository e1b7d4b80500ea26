import { DEFAULT_QUEUE_PREFIX, JOBS_QUEUE } from '@org/jobs';
import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { LegacyJobName } from './legacyJobs.js';

export interface SeedLegacyJobsOptions {
  redis: Redis;
  prefix?: string;
  queueName?: string;
  /** Legacy integer user ids that exist (e.g. `1..users` after `seedLegacyData`). */
  legacyUserIds: readonly number[];
  /** How many legacy jobs to add (default 200). */
  count?: number;
}

/**
 * Fills the queue the way the old system left it (for the demo and the cutover tests): the legacy job names
 * with integer ids, about a third delayed, a third prioritized, with 3-5 attempts; 1 job in 20 names a user
 * id that has no mapping, 1 in 5 carries a token. Returns how many jobs of each name were added.
 *
 * @example
 * await seedLegacyJobs({ redis, legacyUserIds: [1, 2, 3], count: 500 });
 */
export async function seedLegacyJobs(options: SeedLegacyJobsOptions): Promise<Record<LegacyJobName, number>> {
  const count = options.count ?? 200;
  const ids = options.legacyUserIds;
  if (ids.length === 0) throw new RangeError('seedLegacyJobs needs at least one legacy user id');
  const unknownUserId = Math.max(...ids) + 1_000_000;
  const counts: Record<LegacyJobName, number> = {
    send_verification_email: 0,
    send_password_reset: 0,
    export_user_data: 0,
    purge_user_sessions: 0,
    cleanup_expired_tokens: 0,
  };
  const jobs: { name: LegacyJobName; data: Record<string, number>; opts: JobsOptions }[] = [];
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
    counts[name] += 1;
    jobs.push({ name, data, opts });
  }
  const queue = new Queue(options.queueName ?? JOBS_QUEUE, {
    connection: options.redis,
    prefix: options.prefix ?? DEFAULT_QUEUE_PREFIX,
  });
  try {
    for (let offset = 0; offset < jobs.length; offset += 1000)
      await queue.addBulk(jobs.slice(offset, offset + 1000));
  } finally {
    await queue.close();
  }
  return counts;
}
