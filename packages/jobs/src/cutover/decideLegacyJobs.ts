import type { JobName } from '../jobCatalog.js';
import { LEGACY_JOBS, legacyPayloadSchemas } from './legacyJobs.js';
import type { LegacyJob } from './readQueuedJobs.js';

/** Why a legacy job went to the failed set instead of being translated. */
export type QuarantineCause = 'token-not-mappable' | 'user-not-mapped' | 'malformed-payload';

export type Decision =
  | { readonly kind: 'translate'; readonly target: JobName; readonly data: Record<string, unknown> }
  | { readonly kind: 'quarantine'; readonly cause: QuarantineCause; readonly reason: string };

/** Legacy integer user id -> UUIDv6; ids without a mapping are absent. */
export type TranslateUserIds = (legacyIds: number[]) => Promise<ReadonlyMap<number, string>>;

/**
 * What becomes of each legacy job: its UUID form, or the failed set with a reason. One call of
 * `translateUserIds` for the whole batch.
 */
export async function decideLegacyJobs(
  jobs: readonly LegacyJob[],
  translateUserIds: TranslateUserIds,
): Promise<Decision[]> {
  const decisions: (Decision | { kind: 'pending'; userId: number })[] = jobs.map((job) => {
    const parsed = legacyPayloadSchemas[job.name].safeParse(job.data);
    if (!parsed.success) {
      const issues =
        job.data === undefined
          ? ['payload: not JSON']
          : parsed.error.issues.map((issue) => `${issue.path.join('.') || 'payload'}: ${issue.message}`);
      return {
        kind: 'quarantine',
        cause: 'malformed-payload',
        reason: `legacy job ${job.name} #${job.id} does not match the legacy payload layout (${issues.join('; ')}); original payload kept`,
      };
    }
    if (LEGACY_JOBS[job.name].carriesToken) {
      return {
        kind: 'quarantine',
        cause: 'token-not-mappable',
        reason:
          `legacy job ${job.name} #${job.id} names token ${String(Reflect.get(parsed.data, 'tokenId'))}: tokens keep no ` +
          'legacy id after the cutover and only their hash is stored, so this email cannot be rebuilt; the user ' +
          'must request a new token (resend verification / password reset); original payload kept',
      };
    }
    if ('userId' in parsed.data) return { kind: 'pending', userId: parsed.data.userId };
    return { kind: 'translate', target: LEGACY_JOBS[job.name].target, data: {} };
  });
  const wanted = new Set<number>();
  for (const decision of decisions) if (decision.kind === 'pending') wanted.add(decision.userId);
  const mapping = wanted.size > 0 ? await translateUserIds([...wanted]) : new Map<number, string>();
  return decisions.map((decision, index) => {
    if (decision.kind !== 'pending') return decision;
    const job = jobs[index] as LegacyJob;
    const uuid = mapping.get(decision.userId);
    return uuid === undefined
      ? {
          kind: 'quarantine',
          cause: 'user-not-mapped',
          reason: `legacy job ${job.name} #${job.id}: userId ${decision.userId} has no row in legacy_user_ids (no such user at the cutover); original payload kept`,
        }
      : { kind: 'translate', target: LEGACY_JOBS[job.name].target, data: { userId: uuid } };
  });
}
