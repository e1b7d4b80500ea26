export {
  createJobProducer,
  type EnqueuedJob,
  type EnqueueOptions,
  type JobProducer,
  type JobProducerOptions,
} from './createJobProducer.js';
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
export { DEFAULT_QUEUE_PREFIX, JOBS_QUEUE } from './queueNames.js';
export { UnknownJobError } from './unknownJobError.js';
