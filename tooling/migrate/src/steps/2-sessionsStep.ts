import { formatRemoveLegacyKeysReport, removeLegacyKeys } from '@org/sessions';
import type { MigrateStep } from '../MigrateStep.js';

/** The Redis step of `@org/sessions`: the legacy sessions and token sets under LEGACY_KEY_PREFIX are removed. */
export const sessionsStep: MigrateStep = {
  name: 'sessions',
  title: 'sessions: remove the legacy Redis sessions and token sets (@org/sessions)',
  needs: ['Redis'],
  async run({ env, options, redis, progress }) {
    const counts = new Map<string, number>();
    const report = await removeLegacyKeys({
      redis: await redis(),
      keyPrefix: env.LEGACY_KEY_PREFIX,
      dryRun: options.dryRun,
      onProgress: ({ pattern, removed }) => {
        counts.set(pattern, removed);
        const sofar = [...counts]
          .map(([name, count]) => `${name} ${count.toLocaleString('en-US')}`)
          .join(', ');
        progress.update(`[sessions] legacy keys ${options.dryRun ? 'found' : 'removed'}: ${sofar}`);
      },
    });
    progress.done();
    const summary = formatRemoveLegacyKeysReport(report);
    return {
      status: report.removed === 0 ? 'already-done' : report.dryRun ? 'planned' : 'done',
      summary,
      counts: { removed: report.removed, ...report.byPattern },
      details: summary,
      report,
    };
  },
};
