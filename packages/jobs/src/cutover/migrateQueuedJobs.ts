import { type AnyOrm, mappableLegacyUserIds, translateLegacyUserIds } from '@org/db';
import type { RedisConnection } from '../redisConnection.js';
import {
  cutoverQueuedJobs,
  type QueuedJobsCutoverOptions,
  type QueuedJobsCutoverReport,
} from './cutoverQueuedJobs.js';

export interface MigrateQueuedJobsOptions {
  /** The caller's connection (`connectRedis` of `@org/sessions`); left open. */
  redis: RedisConnection;
  /** The caller's ORM (PostgreSQL, or the demo's PGlite); left open. */
  orm: AnyOrm;
  prefix?: string;
  dryRun?: boolean;
  batchSize?: number;
  onProgress?: QueuedJobsCutoverOptions['onProgress'];
}

/**
 * The queued-jobs step as `pnpm migrate` runs it, after the database step: user ids are translated through
 * `legacy_user_ids`; a dry run, which may come before the database step, plans with the users the cutover
 * will map and writes nothing.
 *
 * @example
 * const report = await migrateQueuedJobs({ redis, orm, prefix: env.QUEUE_PREFIX, dryRun: true });
 */
export function migrateQueuedJobs(options: MigrateQueuedJobsOptions): Promise<QueuedJobsCutoverReport> {
  const { orm, dryRun = false } = options;
  return cutoverQueuedJobs({
    redis: options.redis,
    translateUserIds: dryRun
      ? async (ids) => new Map([...(await mappableLegacyUserIds(orm, ids))].map((id) => [id, 'planned']))
      : (ids) => translateLegacyUserIds(orm, ids),
    dryRun,
    ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
}
