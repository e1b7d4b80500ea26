import { formatRemoveLegacyKeysReport, removeLegacyKeys } from '@org/sessions';
import type { MigrateStep } from '../MigrateStep.js';

/**
 * The Redis step of `@org/sessions`: the legacy sessions and token sets under LEGACY_KEY_PREFIX are removed, on
 * every master of a Redis Cluster (the report counts them per node).
 */
export const sessionsStep: MigrateStep = {
  name: 'sessions',
  title: 'sessions: remove the legacy Redis sessions and token sets (@org/sessions)',
  needs: ['Redis'],
  async run({ env, options, redis, progress }) {
    // Running counts per pattern and master (a Redis Cluster is scanned one master after the other).
    const counts = new Map<string, Map<string, number>>();
    const report = await removeLegacyKeys({
      redis: await redis(),
      keyPrefix: env.LEGACY_KEY_PREFIX,
      dryRun: options.dryRun,
      onProgress: ({ node, pattern, removed }) => {
        const byNode = counts.get(pattern) ?? new Map<string, number>();
        byNode.set(node, removed);
        counts.set(pattern, byNode);
        const sofar = [...counts]
          .map(([name, nodes]) => {
            const total = [...nodes.values()].reduce((sum, count) => sum + count, 0);
            return `${name} ${total.toLocaleString('en-US')}`;
          })
          .join(', ');
        const where = env.REDIS_CLUSTER_NODES.length > 0 ? ` (now on ${node})` : '';
        progress.update(`[sessions] legacy keys ${options.dryRun ? 'found' : 'removed'}: ${sofar}${where}`);
      },
    });
    progress.done();
    // On a cluster the text has a line per master: the details show them, the one-line summary only the total.
    const details = formatRemoveLegacyKeysReport(report);
    return {
      status: report.removed === 0 ? 'already-done' : report.dryRun ? 'planned' : 'done',
      summary: details.split('\n')[0] ?? details,
      counts: { removed: report.removed, ...report.byPattern },
      details,
      report,
    };
  },
};
