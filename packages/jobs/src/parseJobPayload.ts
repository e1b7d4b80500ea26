import { describeIssues } from './describeIssues.js';
import { isJobName, type JobName, type JobPayload, jobSchemas } from './jobCatalog.js';
import { JobPayloadError } from './jobPayloadError.js';
import { UnknownJobError } from './unknownJobError.js';

/**
 * Parses a payload against its job's schema. Throws `UnknownJobError` for a name without a schema and
 * `JobPayloadError` (one line per field: `userId: expected a UUIDv6 string, got number 123`) otherwise.
 *
 * @example
 * const { userId } = parseJobPayload('export-user-data', job.data);
 */
export function parseJobPayload<N extends JobName>(name: N, data: unknown): JobPayload<N>;
export function parseJobPayload(name: string, data: unknown): JobPayload<JobName>;
export function parseJobPayload(name: string, data: unknown): JobPayload<JobName> {
  if (!isJobName(name)) throw new UnknownJobError(name);
  const schema = jobSchemas[name];
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  throw new JobPayloadError(name, describeIssues(schema, data, result.error.issues));
}
