import { formatCutoverReport, formatMs } from './cutover/CutoverReport.js';
import { formatCutoverPlan } from './cutover/describeCutoverPlan.js';
import type { MigrationRunReport } from './runMigrations.js';

/** A readable rendering of `runMigrations`' report (the CLI prints it; `--json` prints the object). */
export function formatMigrationRunReport(report: MigrationRunReport): string {
  const lines: string[] = [];
  lines.push(`schema before: ${report.initialState}${report.dryRun ? ' (dry run: nothing changed)' : ''}`);
  if (report.plan) lines.push(formatCutoverPlan(report.plan));
  if (report.adopted.length > 0) {
    lines.push(`recognised an unmanaged database; recorded as applied: ${report.adopted.join(', ')}`);
  }
  if (report.alreadyApplied.length > 0) lines.push(`already applied: ${report.alreadyApplied.join(', ')}`);
  if (report.applied.length === 0) lines.push('nothing to apply: the database is up to date');
  else lines.push(`${report.dryRun ? 'would apply' : 'applied'}: ${report.applied.join(', ')}`);
  if (report.preflight) {
    const counts = Object.entries(report.preflight.rowCounts)
      .map(([table, n]) => `${table} ${n.toLocaleString('en-US')}`)
      .join(', ');
    lines.push(`preflight: ${counts}`);
    if (report.preflight.problems.length === 0) lines.push('preflight: no problems');
    for (const p of report.preflight.problems) {
      lines.push(`preflight problem: ${p.message} (${p.count} row(s); e.g. ${p.examples.join(', ')})`);
    }
  }
  if (report.cutover) lines.push(formatCutoverReport(report.cutover));
  lines.push(`total ${formatMs(report.totalMs)}`);
  return lines.join('\n');
}
