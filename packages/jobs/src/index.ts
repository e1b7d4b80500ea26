export {
  createJobProducer,
  type EnqueuedJob,
  type EnqueueOptions,
  type JobProducer,
  type JobProducerOptions,
} from './createJobProducer.js';
export {
  cutoverQueuedJobs,
  type QueueCutoverReport,
  type QueuedJobsCutoverOptions,
  type QueuedJobsCutoverReport,
} from './cutover/cutoverQueuedJobs.js';
export type { QuarantineCause, TranslateUserIds } from './cutover/decideLegacyJobs.js';
export { formatQueuedJobsCutoverReport } from './cutover/formatQueuedJobsCutoverReport.js';
export {
  isLegacyJobName,
  LEGACY_JOBS,
  type LegacyJobName,
  legacyPayloadSchemas,
} from './cutover/legacyJobs.js';
export { type MigrateQueuedJobsOptions, migrateQueuedJobs } from './cutover/migrateQueuedJobs.js';
export { describeIssues } from './describeIssues.js';
export { SENSITIVE_FIELDS, SecretField, TokenIdField, UserIdField } from './idFields.js';
export {
  DEFAULT_JOB_OPTIONS,
  EMAIL_JOB_NAMES,
  type EmailJobName,
  isEmailJobName,
  isJobName,
  JOB_NAMES,
  type JobName,
  type JobPayload,
  jobOptionsFor,
  jobSchemas,
  scrubbedEmailPayloadSchema,
} from './jobCatalog.js';
export { JobPayloadError } from './jobPayloadError.js';
export { parseJobPayload } from './parseJobPayload.js';
export {
  CLUSTER_QUEUE_PREFIX,
  DEFAULT_QUEUE_PREFIX,
  hasHashTag,
  JOBS_QUEUE,
  QueuePrefixError,
  queuePrefixFor,
} from './queueNames.js';
export type { RedisConnection } from './redisConnection.js';
export { resolveQueuePrefix } from './resolveQueuePrefix.js';
export { UnknownJobError } from './unknownJobError.js';
