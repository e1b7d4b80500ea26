/** The three steps of the cutover, in the order they run. */
export type StepName = 'database' | 'sessions' | 'queued-jobs';

/**
 * - `done` / `already-done`: the step changed what it had to, or found nothing left to change;
 * - `planned`: a dry run's checks passed and it says what the step would do;
 * - `failed`: the step refused (a check found problems) or could not run (a service unreachable);
 * - `skipped`: not run, because an earlier step failed or a service it needs could not be reached.
 */
export type StepStatus = 'done' | 'already-done' | 'planned' | 'failed' | 'skipped';

/** What an error of a failed step says, for `--json`: its name, code, message and structured fields. */
export interface StepError {
  readonly name: string;
  readonly code: string;
  readonly message: string;
  readonly [field: string]: unknown;
}

/** One step's outcome, the same shape for every step. */
export interface StepReport {
  readonly step: StepName;
  readonly status: StepStatus;
  readonly dryRun: boolean;
  readonly durationMs: number;
  /** One line: what the step did, would do, or why it failed or did not run. */
  readonly summary: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly error?: StepError;
  /** The step's own report, as its package returns it (`--json` only). */
  readonly report?: unknown;
}

/** What `pnpm migrate --json` prints. */
export interface MigrateSummary {
  /** Every step done or already done (dry run: every step planned or already done). */
  readonly complete: boolean;
  readonly dryRun: boolean;
  readonly durationMs: number;
  readonly steps: readonly StepReport[];
}

const OK: Record<'run' | 'dryRun', readonly StepStatus[]> = {
  run: ['done', 'already-done'],
  dryRun: ['planned', 'already-done'],
};

/** True when a report counts as success for its run (dry run or not). */
export function isStepOk(report: StepReport): boolean {
  return OK[report.dryRun ? 'dryRun' : 'run'].includes(report.status);
}
