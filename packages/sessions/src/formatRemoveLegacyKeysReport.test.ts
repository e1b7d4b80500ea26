import { describe, expect, it } from 'vitest';
import { formatRemoveLegacyKeysReport } from './formatRemoveLegacyKeysReport.js';

describe('formatRemoveLegacyKeysReport', () => {
  const report = {
    dryRun: false,
    removed: 1200,
    byPattern: { 'session:*': 800, 'user_tokens:*': 400 },
    byNode: { '127.0.0.1:6379': { removed: 1200, byPattern: { 'session:*': 800, 'user_tokens:*': 400 } } },
    durationMs: 5,
  };

  it('says what was removed, per pattern', () => {
    expect(formatRemoveLegacyKeysReport(report)).toBe(
      'removed 1,200 legacy keys (session:* 800, user_tokens:* 400)',
    );
    expect(formatRemoveLegacyKeysReport({ ...report, dryRun: true })).toMatch(/^would remove 1,200/);
  });

  it('adds a line per master of a cluster', () => {
    const byNode = {
      '10.0.0.2:7000': { removed: 700, byPattern: { 'session:*': 500, 'user_tokens:*': 200 } },
      '10.0.0.1:7000': { removed: 500, byPattern: { 'session:*': 300, 'user_tokens:*': 200 } },
    };
    expect(formatRemoveLegacyKeysReport({ ...report, byNode })).toBe(
      [
        'removed 1,200 legacy keys (session:* 800, user_tokens:* 400)',
        '  10.0.0.1:7000: 500 (session:* 300, user_tokens:* 200)',
        '  10.0.0.2:7000: 700 (session:* 500, user_tokens:* 200)',
      ].join('\n'),
    );
  });
});
