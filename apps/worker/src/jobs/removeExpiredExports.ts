import type { JobContext, WorkerDeps } from '../jobContext.js';

/**
 * Deletes exports whose lifetime has ended, archives with them, in batches (a scheduler enqueues it every
 * `CLEANUP_EVERY_MS`). The api already answers 410 for an expired export that is still stored.
 */
export async function removeExpiredExports(
  context: JobContext,
  deps: WorkerDeps,
): Promise<{ deleted: number }> {
  const deleted = await deps.store.deleteExpiredExports({
    now: context.now(),
    batchSize: deps.cleanup.batchSize,
    ...(context.signal ? { signal: context.signal } : {}),
  });
  context.log.info({ deleted }, 'expired exports deleted');
  return { deleted };
}
