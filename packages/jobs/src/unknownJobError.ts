/** A job name that no schema describes (a typo, or a legacy name the cutover step has not translated). */
export class UnknownJobError extends Error {
  override readonly name = 'UnknownJobError';
  readonly code = 'JOB_NAME_UNKNOWN';

  constructor(
    readonly jobName: string,
    hint = '',
  ) {
    super(`unknown job name "${jobName}"${hint ? `: ${hint}` : ''}`);
  }
}
