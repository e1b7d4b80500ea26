import { type AnyOrm, initOrm, mappableLegacyUserIds, translateLegacyUserIds } from '@org/db';
import { Redis } from 'ioredis';
import {
  cutoverQueuedJobs,
  type QueuedJobsCutoverOptions,
  type QueuedJobsCutoverReport,
} from './cutoverQueuedJobs.js';

/** Redis is unreachable: the step changed nothing and can be run again. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

export interface MigrateQueuedJobsOptions {
  redisUrl: string;
  /** Used when no `orm` is given. */
  databaseUrl?: string;
  /** An ORM the caller owns (PostgreSQL or the demo's PGlite); left open. */
  orm?: AnyOrm;
  prefix?: string;
  dryRun?: boolean;
  onProgress?: QueuedJobsCutoverOptions['onProgress'];
}

/**
 * The queued-jobs cutover step with its own connections, as the `migrate` command and the monorepo task run
 * it: connects to Redis (failing fast with the cause), translates through `legacy_user_ids` (a dry run before the
 * database step counts the users the cutover will map), closes what it opened.
 *
 * @example
 * const report = await migrateQueuedJobs({ redisUrl: 'redis://127.0.0.1:6379', databaseUrl, dryRun: true });
 */
export async function migrateQueuedJobs(options: MigrateQueuedJobsOptions): Promise<QueuedJobsCutoverReport> {
  if (options.orm === undefined && options.databaseUrl === undefined) {
    throw new TypeError('migrateQueuedJobs needs an orm or a databaseUrl');
  }
  const redis = new Redis(options.redisUrl, {
    maxRetriesPerRequest: 3,
    connectTimeout: 5_000,
    lazyConnect: true,
    // Fail fast with the cause instead of reconnecting forever: the operator reruns the step.
    retryStrategy: () => null,
  });
  let redisError: Error | undefined;
  redis.on('error', (error: Error) => {
    redisError = error;
  });
  const orm = options.orm ?? (await initOrm({ clientUrl: options.databaseUrl as string }));
  try {
    await redis.connect().catch((error: unknown) => {
      const cause = redisError ?? (error as Error);
      throw new RedisUnavailableError(`cannot reach Redis at ${options.redisUrl}: ${cause.message}`, {
        cause,
      });
    });
    return await cutoverQueuedJobs({
      redis,
      // A dry run may come before the database step: it then plans with the users the cutover will map.
      translateUserIds: options.dryRun
        ? async (ids) => new Map([...(await mappableLegacyUserIds(orm, ids))].map((id) => [id, 'planned']))
        : (ids) => translateLegacyUserIds(orm, ids),
      ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
      ...(options.dryRun === undefined ? {} : { dryRun: options.dryRun }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });
  } finally {
    redis.disconnect();
    if (options.orm === undefined) await orm.close();
  }
}
