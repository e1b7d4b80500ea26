export {
  type CloseOutcome,
  closeWorkerGracefully,
  type GracefulCloseOptions,
} from './closeWorkerGracefully.js';
export { createLogger } from './createLogger.js';
export {
  cutoverQueuedJobs,
  type QuarantineCause,
  type QueueCutoverReport,
  type QueuedJobsCutoverOptions,
  type QueuedJobsCutoverReport,
} from './cutoverQueuedJobs.js';
export { createDbStore, type WorkerStore } from './dbStore.js';
export { type Env, EnvError, loadEnv } from './env.js';
export {
  DeliveryOutcomeUnknownError,
  JobRejectedError,
  RetryableJobError,
  ShutdownRequestedError,
} from './errors.js';
export { formatCutoverReport } from './formatCutoverReport.js';
export type { JobContext, WorkerDeps } from './jobContext.js';
export { isLegacyJobName, LEGACY_JOBS, type LegacyJobName, legacyPayloadSchemas } from './legacyJobs.js';
export { createDeliveryLedger, type DeliveryLedger } from './mail/deliveryLedger.js';
export { createFileMailTransport, readMailbox, type StoredMail } from './mail/fileMailTransport.js';
export type { MailMessage, MailTransport } from './mail/mailTransport.js';
export {
  type MigrateQueuedJobsOptions,
  migrateQueuedJobs,
  RedisUnavailableError,
} from './migrateQueuedJobs.js';
export { createRedisConnection } from './redisConnection.js';
export { CLEANUP_SCHEDULER_ID, scheduleCleanup } from './scheduleCleanup.js';
export { type SeedLegacyJobsOptions, seedLegacyJobs } from './seedLegacyJobs.js';
export { type RunningWorker, type StartWorkerOptions, startWorker } from './startWorker.js';
export { createJobWorker, createProcessor, type JobWorkerOptions, parseJobAtBoundary } from './worker.js';
