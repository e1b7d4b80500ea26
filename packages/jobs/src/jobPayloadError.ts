/**
 * A job payload that does not match its schema. `issues` holds one line per offending field, e.g.
 * `userId: expected a UUIDv6 string, got number 123`; `message` joins them after the job name.
 */
export class JobPayloadError extends Error {
  override readonly name = 'JobPayloadError';
  readonly code = 'JOB_PAYLOAD_INVALID';

  constructor(
    readonly jobName: string,
    readonly issues: readonly string[],
  ) {
    super(`invalid payload for job "${jobName}": ${issues.join('; ')}`);
  }
}
