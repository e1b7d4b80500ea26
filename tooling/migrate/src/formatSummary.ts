import type { MigrateSummary, StepReport } from './StepReport.js';

/**
 * The one readable form of the task's summary: a line per step (status, its own duration, what it did or why
 * it failed or did not run), then the verdict.
 *
 * @example
 * console.log(formatSummary(summary));
 */
export function formatSummary(summary: MigrateSummary): string {
  const width = summary.steps.reduce((widest, report) => Math.max(widest, report.step.length), 8);
  const lines = summary.steps.map((report) => {
    const duration = report.status === 'skipped' ? '-' : `${(report.durationMs / 1000).toFixed(2)} s`;
    const counts = Object.entries(report.counts)
      .map(([name, count]) => `${name}=${count}`)
      .join(' ');
    return `  ${report.step.padEnd(width)}  ${report.status.padEnd(12)} ${duration.padStart(9)}  ${report.summary}${counts ? `  [${counts}]` : ''}`;
  });
  const heading = `${summary.dryRun ? 'Dry-run summary' : 'Cutover summary'} (${(summary.durationMs / 1000).toFixed(1)} s)`;
  return [heading, ...lines, verdict(summary)].join('\n');
}

function verdict(summary: MigrateSummary): string {
  const failed = summary.steps.filter((report) => report.status === 'failed');
  const skipped = summary.steps.filter((report) => report.status === 'skipped');
  if (summary.dryRun) {
    if (summary.complete) return 'dry run: every check passed; nothing was changed';
    return `dry run: ${describe(failed, skipped)}; nothing was changed`;
  }
  if (summary.complete) return 'cutover complete';
  return (
    `cutover NOT complete: ${describe(failed, skipped)}. ` +
    'Fix it and run `pnpm migrate` again: finished steps are no-ops'
  );
}

function describe(failed: readonly StepReport[], skipped: readonly StepReport[]): string {
  const parts = failed.map((report) => `${report.step} failed (${report.summary})`);
  if (skipped.length > 0) parts.push(`${skipped.map((report) => report.step).join(' and ')} not run`);
  return parts.join('; ');
}
