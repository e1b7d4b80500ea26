import { z } from 'zod';
import type { JobName } from '../jobCatalog.js';

/**
 * The jobs the old system enqueued (same BullMQ queue and prefix as the new ones, see the README): snake_case
 * names with integer ids. The queued-jobs cutover step translates them; the worker never runs them.
 */
export const LEGACY_JOBS = {
  send_verification_email: { target: 'send-verification-email', carriesToken: true },
  send_password_reset: { target: 'send-password-reset', carriesToken: true },
  export_user_data: { target: 'export-user-data', carriesToken: false },
  purge_user_sessions: { target: 'purge-user-sessions', carriesToken: false },
  cleanup_expired_tokens: { target: 'cleanup-expired-tokens', carriesToken: false },
} as const satisfies Record<string, { target: JobName; carriesToken: boolean }>;

export type LegacyJobName = keyof typeof LEGACY_JOBS;

export function isLegacyJobName(name: string): name is LegacyJobName {
  return Object.hasOwn(LEGACY_JOBS, name);
}

const legacyId = z.number().int().positive();

/** Legacy payloads: `{ userId }`, `{ userId, tokenId }` (email jobs), `{}` (cleanup). Extra keys tolerated. */
export const legacyPayloadSchemas = {
  send_verification_email: z.object({ userId: legacyId, tokenId: legacyId }),
  send_password_reset: z.object({ userId: legacyId, tokenId: legacyId }),
  export_user_data: z.object({ userId: legacyId }),
  purge_user_sessions: z.object({ userId: legacyId }),
  cleanup_expired_tokens: z.object({}),
} as const satisfies Record<LegacyJobName, z.ZodType>;
