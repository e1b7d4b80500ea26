import type { RemoveLegacyKeysReport } from './removeLegacyKeys.js';

/**
 * The one readable form of `removeLegacyKeys`' report (the JSON form is the report itself); on a Redis
 * Cluster (more than one node) a line per master follows.
 *
 * @example
 * formatRemoveLegacyKeysReport(report); // 'removed 900 legacy keys (session:* 600, user_tokens:* 300)'
 */
export function formatRemoveLegacyKeysReport(report: RemoveLegacyKeysReport): string {
  const verb = report.dryRun ? 'would remove' : 'removed';
  const head = `${verb} ${report.removed.toLocaleString('en-US')} legacy keys (${patterns(report.byPattern)})`;
  const nodes = Object.entries(report.byNode);
  if (nodes.length < 2) return head;
  const lines = nodes
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([node, { removed, byPattern }]) =>
        `  ${node}: ${removed.toLocaleString('en-US')} (${patterns(byPattern)})`,
    );
  return [head, ...lines].join('\n');
}

function patterns(byPattern: Record<string, number>): string {
  return Object.entries(byPattern)
    .map(([pattern, count]) => `${pattern} ${count.toLocaleString('en-US')}`)
    .join(', ');
}
