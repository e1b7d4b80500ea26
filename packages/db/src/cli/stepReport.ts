import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatMs } from '../cutover/CutoverReport.js';
import type { MigrationRunReport } from '../runMigrations.js';

/**
 * The database step's outcome for the monorepo task (`pnpm migrate`), which reads one `<step>.json` per step
 * from MIGRATE_REPORT_DIR to print its combined summary. Nothing is written when the variable is unset.
 */
export interface StepReport {
  readonly step: 'database';
  readonly status: 'done' | 'already-done' | 'planned' | 'failed';
  readonly dryRun: boolean;
  readonly durationMs: number;
  readonly summary: string;
  readonly counts: Readonly<Record<string, number>>;
}

export function writeStepReport(env: NodeJS.ProcessEnv, report: StepReport): void {
  const dir = env.MIGRATE_REPORT_DIR;
  if (dir) writeFileSync(join(dir, `${report.step}.json`), JSON.stringify(report));
}

/** Condenses a migration run into a step report. */
export function stepReportOf(run: MigrationRunReport): StepReport {
  const base = { step: 'database', dryRun: run.dryRun, durationMs: Math.round(run.totalMs) } as const;
  if (run.applied.length === 0) {
    return { ...base, status: 'already-done', summary: 'database already migrated', counts: {} };
  }
  if (run.dryRun) {
    const problems = [
      ...(run.plan?.refusals ?? []).map((r) => ({ message: `${r.object}: ${r.reason}` })),
      ...(run.preflight?.problems ?? []),
    ];
    const rows = run.preflight?.rowCounts ?? {};
    const lock =
      run.estimatedLockMs === undefined ? '' : `, estimated lock time ~${formatMs(run.estimatedLockMs)}`;
    return {
      ...base,
      status: problems.length > 0 ? 'failed' : 'planned',
      summary:
        problems.length > 0
          ? `the dry run found ${problems.length} problem(s): ${problems.map((p) => p.message).join('; ')}`
          : `would apply ${run.applied.join(', ')}${lock}`,
      counts: {
        ...rows,
        ...(run.estimatedLockMs === undefined ? {} : { estimatedLockMs: run.estimatedLockMs }),
      },
    };
  }
  const cutover = run.cutover;
  const counts: Record<string, number> = {};
  for (const [table, count] of Object.entries(cutover?.rowCounts ?? {})) counts[table] = count.after;
  if (cutover) counts.lockHeldMs = Math.round(cutover.lockHeldMs);
  return {
    ...base,
    status: 'done',
    summary: `applied ${run.applied.join(', ')}${cutover?.outcome === 'migrated' ? `; locks held ${formatMs(cutover.lockHeldMs)}` : ''}`,
    counts,
  };
}
