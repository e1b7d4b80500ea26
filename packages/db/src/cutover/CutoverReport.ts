/** One timed step of the cutover. */
export interface CutoverStep {
  readonly name: string;
  readonly ms: number;
  readonly rows?: number;
}

/** What the cutover did (or, for a no-op, found). Serialisable as JSON. */
export interface CutoverReport {
  readonly outcome: 'migrated' | 'already-migrated' | 'empty-schema';
  readonly steps: readonly CutoverStep[];
  /** Rows of each table the cutover changed (`schema.table`) and of `legacy_user_ids`, before and after. */
  readonly rowCounts: Readonly<Record<string, { readonly before: number; readonly after: number }>>;
  /** Time spent waiting for the table locks. */
  readonly lockWaitMs: number;
  /** Time from holding all locks to the end of the cutover's work (the commit adds a few ms). */
  readonly lockHeldMs: number;
  readonly totalMs: number;
}

/** A progress event on a step: `start` (with the rows it will read when known) and `end`. */
export interface CutoverProgress {
  readonly step: string;
  readonly phase: 'start' | 'end';
  readonly rows?: number;
  readonly ms?: number;
}

/** A readable rendering of a cutover report. */
export function formatCutoverReport(report: CutoverReport): string {
  const lines = [`cutover: ${report.outcome}`];
  if (report.steps.length > 0) {
    const width = Math.max(...report.steps.map((s) => s.name.length));
    for (const step of report.steps) {
      const rows = step.rows === undefined ? '' : `  ${step.rows.toLocaleString('en-US')} rows`;
      lines.push(`  ${step.name.padEnd(width)}  ${formatMs(step.ms).padStart(9)}${rows}`);
    }
  }
  for (const [table, counts] of Object.entries(report.rowCounts)) {
    lines.push(
      `  rows ${table}: ${counts.before.toLocaleString('en-US')} -> ${counts.after.toLocaleString('en-US')}`,
    );
  }
  lines.push(
    `  lock wait ${formatMs(report.lockWaitMs)}, locks held ${formatMs(report.lockHeldMs)}, total ${formatMs(report.totalMs)}`,
  );
  return lines.join('\n');
}

export function formatMs(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}
