import { ExportIds } from '@org/db';
import type { DefaultJobOptions, JobsOptions } from 'bullmq';
import { z } from 'zod';
import { SecretField, TokenIdField, UserIdField } from './idFields.js';

const ExportIdField = ExportIds.idSchema.describe('a UUIDv6 string');

const emailTokenPayload = z.strictObject({ userId: UserIdField, tokenId: TokenIdField, secret: SecretField });

/**
 * One zod schema per job name: what a producer must pass (and what `enqueue` checks at runtime).
 *
 * @example
 * jobSchemas['export-user-data'].parse({ userId: '1f0c8e2a-...' });
 */
export const jobSchemas = {
  'send-verification-email': emailTokenPayload,
  'send-password-reset': emailTokenPayload,
  // `exportId` names the `user_exports` row the api created; legacy jobs translated by the queued-jobs
  // cutover carry only `userId`, and the worker then creates the row itself.
  'export-user-data': z.strictObject({ userId: UserIdField, exportId: ExportIdField.optional() }),
  'purge-user-sessions': z.strictObject({
    userId: UserIdField,
    exceptSessionId: z.string().min(1).max(200).describe('a session id string').optional(),
  }),
  'cleanup-expired-tokens': z.strictObject({}),
  // Both run from job schedulers of the worker (issue 15), like cleanup-expired-tokens.
  'remove-expired-exports': z.strictObject({}),
  'delete-accounts-past-grace': z.strictObject({}),
} as const;

export type JobName = keyof typeof jobSchemas;
/** The parsed (branded) payload of a job: what `enqueue` takes and what processors receive. */
export type JobPayload<N extends JobName> = z.output<(typeof jobSchemas)[N]>;

/** Every job name, in a stable order. */
export const JOB_NAMES = Object.keys(jobSchemas) as JobName[];

export function isJobName(value: string): value is JobName {
  return Object.hasOwn(jobSchemas, value);
}

/** The two jobs whose payload carries the raw email token (`secret`). */
export const EMAIL_JOB_NAMES = ['send-verification-email', 'send-password-reset'] as const;
export type EmailJobName = (typeof EMAIL_JOB_NAMES)[number];

export function isEmailJobName(value: string): value is EmailJobName {
  return (EMAIL_JOB_NAMES as readonly string[]).includes(value);
}

/**
 * The stored form of an email job once its secret has been scrubbed (after delivery or final failure):
 * the worker accepts it, but can only complete it if the email was already delivered.
 */
export const scrubbedEmailPayloadSchema = emailTokenPayload.extend({ secret: SecretField.optional() });

/**
 * Applies to every job unless a job overrides it: exponential backoff with 50% jitter (so retries of a
 * burst do not hit the mail server in lockstep) and bounded retention (BullMQ evicts by count and age, in
 * seconds, whenever another job finishes).
 */
export const DEFAULT_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
  removeOnComplete: { age: 24 * 3600, count: 1_000 },
  removeOnFail: { age: 30 * 24 * 3600, count: 10_000 },
} as const satisfies DefaultJobOptions;

const optionsByJob: { [N in JobName]: (payload: JobPayload<N>) => JobsOptions } = {
  'send-verification-email': (payload) => ({ attempts: 8, jobId: `verify-email.${payload.tokenId}` }),
  'send-password-reset': (payload) => ({ attempts: 8, jobId: `password-reset.${payload.tokenId}` }),
  'export-user-data': (payload) =>
    payload.exportId === undefined
      ? { deduplication: { id: `export-user-data.${payload.userId}` } }
      : { jobId: `export-user-data.${payload.exportId}` },
  'purge-user-sessions': () => ({ attempts: 10 }),
  'cleanup-expired-tokens': () => ({ attempts: 3 }),
  'remove-expired-exports': () => ({ attempts: 3 }),
  'delete-accounts-past-grace': () => ({ attempts: 3 }),
};

/**
 * Per-job options derived from the payload. Email jobs get a job id derived from the token, so enqueueing
 * one token twice adds one job; so does an export requested through the api (its id comes from the export
 * row), while a legacy export without a row is deduplicated while one is pending for the user. Session purges
 * are idempotent and never deduplicated: dropping a later purge could leave a session alive.
 */
export function jobOptionsFor<N extends JobName>(name: N, payload: JobPayload<N>): JobsOptions {
  return (optionsByJob[name] as (payload: JobPayload<N>) => JobsOptions)(payload);
}
