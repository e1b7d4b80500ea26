import { describe, expect, it } from 'vitest';
import { formatRemoveLegacyKeysReport } from './formatRemoveLegacyKeysReport.js';

describe('formatRemoveLegacyKeysReport', () => {
  it('says what was removed, per pattern', () => {
    const report = {
      dryRun: false,
      removed: 1200,
      byPattern: { 'session:*': 800, 'user_tokens:*': 400 },
      durationMs: 5,
    };
    expect(formatRemoveLegacyKeysReport(report)).toBe(
      'removed 1,200 legacy keys (session:* 800, user_tokens:* 400)',
    );
    expect(formatRemoveLegacyKeysReport({ ...report, dryRun: true })).toMatch(/^would remove 1,200/);
  });
});
