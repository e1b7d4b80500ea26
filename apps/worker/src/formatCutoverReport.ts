import type { QueuedJobsCutoverReport } from './cutoverQueuedJobs.js';

/** The readable form of the queued-jobs cutover report (the JSON form is the report itself). */
export function formatCutoverReport(report: QueuedJobsCutoverReport): string {
  const lines = [
    `queued-jobs cutover${report.dryRun ? ' (dry run: nothing changed)' : ''} in ${report.durationMs} ms`,
    `  found ${report.found} legacy jobs: ${report.translated} ${report.dryRun ? 'to translate' : 'translated'}, ` +
      `${report.quarantined} ${report.dryRun ? 'to quarantine' : 'quarantined (failed set, original payload kept)'}`,
  ];
  for (const queue of report.queues) {
    const causes = Object.entries(queue.byCause)
      .filter(([, count]) => count > 0)
      .map(([cause, count]) => `${cause} ${count}`)
      .join(', ');
    lines.push(
      `  queue ${queue.queue}: found ${queue.found}, translated ${queue.translated}, quarantined ${queue.quarantined}` +
        (causes ? ` (${causes})` : ''),
    );
  }
  if (report.activeLegacy > 0) {
    lines.push(
      `  warning: ${report.activeLegacy} legacy jobs are active (an old worker is still running?): stop old workers and run again`,
    );
  }
  if (report.found === 0) lines.push('  nothing to do (already migrated, or no legacy jobs)');
  return lines.join('\n');
}
