import { formatQueuedJobsCutoverReport, migrateQueuedJobs } from '@org/jobs';
import type { MigrateStep } from '../MigrateStep.js';

/**
 * The queued-jobs step of `@org/jobs`: legacy jobs become their UUID form through `legacy_user_ids`, unmappable
 * ones go to the failed set. It refuses (fails) while an old worker is still running legacy jobs.
 */
export const queuedJobsStep: MigrateStep = {
  name: 'queued-jobs',
  title: 'queued-jobs: translate the queued legacy jobs (@org/jobs)',
  needs: ['PostgreSQL', 'Redis'],
  async run({ env, options, orm, redis, progress }) {
    const report = await migrateQueuedJobs({
      redis: await redis(),
      orm: await orm(),
      prefix: env.QUEUE_PREFIX,
      dryRun: options.dryRun,
      onProgress: ({ queue, done, total }) =>
        progress.update(
          `[queued-jobs] ${queue}: ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} queued jobs read`,
        ),
    });
    progress.done();
    const verb = report.dryRun ? 'found' : 'handled';
    const counts = { found: report.found, translated: report.translated, quarantined: report.quarantined };
    const details = formatQueuedJobsCutoverReport(report);
    if (report.activeLegacy > 0) {
      return {
        status: 'failed',
        summary: `${report.activeLegacy} legacy jobs are active: an old worker is still running; stop it and run again`,
        counts: { ...counts, activeLegacy: report.activeLegacy },
        details,
        report,
      };
    }
    return {
      status: report.found === 0 ? 'already-done' : report.dryRun ? 'planned' : 'done',
      summary: `${report.found} legacy jobs ${verb}: ${report.translated} ${report.dryRun ? 'to translate' : 'translated'}, ${report.quarantined} ${report.dryRun ? 'to quarantine' : 'quarantined'}`,
      counts,
      details,
      report,
    };
  },
};
