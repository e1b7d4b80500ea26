import type { JobContext, WorkerDeps } from '../jobContext.js';

/**
 * Deletes verification tokens that expired or were used more than the grace period ago, in batches (short
 * statements, no long lock). The grace period keeps recent ones so the api can still answer "expired" or
 * "already used" instead of "unknown token". Stops between batches on shutdown; the next run continues.
 */
export async function cleanupExpiredTokens(
  context: JobContext,
  deps: WorkerDeps,
): Promise<{ deleted: number }> {
  const before = new Date(context.now().getTime() - deps.cleanup.graceSeconds * 1000);
  const deleted = await deps.store.deleteFinishedTokens({
    before,
    batchSize: deps.cleanup.batchSize,
    ...(context.signal ? { signal: context.signal } : {}),
  });
  context.log.info({ deleted, before: before.toISOString() }, 'finished tokens deleted');
  return { deleted };
}
