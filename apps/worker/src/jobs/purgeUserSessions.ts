import type { UserId } from '@org/db';
import type { JobContext, WorkerDeps } from '../jobContext.js';

/** Ends every session of the user (or all but `exceptSessionId`) through the shared session store. */
export async function purgeUserSessions(
  payload: { userId: UserId; exceptSessionId?: string | undefined },
  context: JobContext,
  deps: WorkerDeps,
): Promise<{ revoked: number }> {
  const revoked = await deps.sessions.revokeAll(payload.userId, { except: payload.exceptSessionId });
  context.log.info({ revoked }, 'sessions ended');
  return { revoked };
}
