/** The environment cannot be used; `problems` has one line per bad variable, `message` lists them all. */
export class EnvError extends Error {
  override readonly name = 'EnvError';
  readonly code = 'ENV_INVALID';

  constructor(
    readonly label: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid ${label} environment:\n  ${problems.join('\n  ')}`);
  }
}
