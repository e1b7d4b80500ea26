import type { JobContext, WorkerDeps } from '../jobContext.js';

/**
 * Deletes the accounts whose deletion grace period has ended (`DELETE /me` set it), with everything that
 * cascades, in batches; then ends any session such a user still had (the api revoked them at deactivation;
 * this covers one created in a race with it). Idempotent, and safe with several workers: each batch is
 * claimed with `FOR UPDATE SKIP LOCKED`, and a user deleted twice is simply not found.
 */
export async function deleteAccountsPastGrace(
  context: JobContext,
  deps: WorkerDeps,
): Promise<{ deleted: number }> {
  const { deleted, userIds } = await deps.store.deleteAccountsPastGrace({
    now: context.now(),
    batchSize: deps.cleanup.batchSize,
    ...(context.signal ? { signal: context.signal } : {}),
  });
  for (const userId of userIds) await deps.sessions.revokeAll(userId);
  // Internal logs may name users by UUID (the api's request logs do too); responses never do.
  context.log.info({ deleted, userIds }, 'accounts deleted after their grace period');
  return { deleted };
}
