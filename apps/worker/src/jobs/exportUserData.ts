import type { ExportId, UserId } from '@org/db';
import { JobRejectedError } from '../errors.js';
import { type JobContext, throwIfShuttingDown, type WorkerDeps } from '../jobContext.js';

/** The version of the archive's layout, first key of every archive. */
export const EXPORT_FORMAT = 'user-export/2';

export type ExportResult =
  | { status: 'ready'; socialAccounts: number; sessions: number }
  | { status: 'skipped'; reason: 'no-export-row' | 'export-gone' };

/**
 * Builds the archive of a pending export (`POST /me/export` created its row) and stores it in PostgreSQL, where
 * every api instance can serve it: the account, profile and social accounts (`loadUserExport`'s allow-list),
 * and the metadata of the active sessions from the session store (never their ids or tokens). Retrying is
 * safe: only a pending export is filled in. A legacy job (translated by the queued-jobs cutover, no
 * `exportId`) has no row to fill and nobody to hand it to: it is skipped, and the user asks again.
 */
export async function exportUserData(
  payload: { userId: UserId; exportId?: ExportId | undefined },
  context: JobContext,
  deps: WorkerDeps,
): Promise<ExportResult> {
  if (payload.exportId === undefined) {
    context.log.warn(
      'legacy export request without an export row: skipped, the user can request a new export',
    );
    return { status: 'skipped', reason: 'no-export-row' };
  }
  const data = await deps.store.loadUserExport(payload.userId);
  if (data === null) throw new JobRejectedError(`user ${payload.userId} does not exist`);
  const sessions = await deps.sessions.list(payload.userId);
  const at = context.now();
  const archive = {
    format: EXPORT_FORMAT,
    exportedAt: at.toISOString(),
    ...data,
    sessions: sessions.map((session) => ({
      createdAt: session.createdAt.toISOString(),
      lastSeenAt: session.lastSeenAt.toISOString(),
      expiresAt: session.idleExpiresAt.toISOString(),
      userAgent: session.userAgent,
      ip: session.ip,
    })),
  };
  throwIfShuttingDown(context.signal);
  if (!(await deps.store.completeExport(payload.exportId, payload.userId, archive, at))) {
    context.log.info(
      { exportId: payload.exportId },
      'export no longer pending (expired or removed): skipped',
    );
    return { status: 'skipped', reason: 'export-gone' };
  }
  const counts = { socialAccounts: data.socialAccounts.length, sessions: sessions.length };
  context.log.info({ exportId: payload.exportId, ...counts }, 'user data exported');
  return { status: 'ready', ...counts };
}
