import type { RemoveLegacyKeysReport } from './removeLegacyKeys.js';

/**
 * The one readable form of `removeLegacyKeys`' report (the JSON form is the report itself).
 *
 * @example
 * formatRemoveLegacyKeysReport(report); // 'removed 900 legacy keys (session:* 600, user_tokens:* 300)'
 */
export function formatRemoveLegacyKeysReport(report: RemoveLegacyKeysReport): string {
  const patterns = Object.entries(report.byPattern)
    .map(([pattern, count]) => `${pattern} ${count.toLocaleString('en-US')}`)
    .join(', ');
  const verb = report.dryRun ? 'would remove' : 'removed';
  return `${verb} ${report.removed.toLocaleString('en-US')} legacy keys (${patterns})`;
}
