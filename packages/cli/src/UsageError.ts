/**
 * A mistake on the command line (unknown flag, bad value). `runCommand` prints its message and the usage,
 * and the command exits with 2.
 *
 * @example
 * if (!Number.isInteger(users)) throw new UsageError(`--users must be an integer, got "${raw}"`);
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'USAGE_INVALID';
}
