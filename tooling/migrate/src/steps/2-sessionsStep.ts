import { formatRemoveLegacyKeysReport, removeLegacyKeys } from '@org/sessions';
import type { MigrateStep } from '../MigrateStep.js';

/** The Redis step of `@org/sessions`: the legacy sessions and token sets under LEGACY_KEY_PREFIX are removed. */
export const sessionsStep: MigrateStep = {
  name: 'sessions',
  title: 'sessions: remove the legacy Redis sessions and token sets (@org/sessions)',
  needs: ['Redis'],
  async run({ env, options, redis, progress }) {
    const report = await removeLegacyKeys({
      redis: await redis(),
      keyPrefix: env.LEGACY_KEY_PREFIX,
      dryRun: options.dryRun,
      onProgress: ({ pattern, removed }) =>
        progress.update(
          `[sessions] ${pattern}: ${removed.toLocaleString('en-US')} ${options.dryRun ? 'found' : 'removed'}`,
        ),
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
