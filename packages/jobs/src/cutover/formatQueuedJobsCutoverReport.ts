import type { QueuedJobsCutoverReport } from './cutoverQueuedJobs.js';

/**
 * The one readable form of the queued-jobs cutover report (the JSON form is the report itself).
 *
 * @example
 * console.log(formatQueuedJobsCutoverReport(report));
 */
export function formatQueuedJobsCutoverReport(report: QueuedJobsCutoverReport): string {
  const n = (count: number) => count.toLocaleString('en-US');
  const lines = [
    `queued-jobs cutover${report.dryRun ? ' (dry run: nothing changed)' : ''} in ${n(report.durationMs)} ms`,
    `  found ${n(report.found)} legacy jobs: ${n(report.translated)} ${report.dryRun ? 'to translate' : 'translated'}, ` +
      `${n(report.quarantined)} ${report.dryRun ? 'to quarantine' : 'quarantined (failed set, original payload kept)'}`,
  ];
  for (const queue of report.queues) {
    const causes = Object.entries(queue.byCause)
      .filter(([, count]) => count > 0)
      .map(([cause, count]) => `${cause} ${n(count)}`)
      .join(', ');
    lines.push(
      `  queue ${queue.queue}: found ${n(queue.found)}, translated ${n(queue.translated)}, quarantined ${n(queue.quarantined)}` +
        (causes ? ` (${causes})` : ''),
    );
  }
  if (report.activeLegacy > 0) {
    lines.push(
      `  warning: ${n(report.activeLegacy)} legacy jobs are active (an old worker is still running?): stop old workers and run again`,
    );
  }
  if (report.found === 0) lines.push('  nothing to do (already migrated, or no legacy jobs)');
  return lines.join('\n');
}
