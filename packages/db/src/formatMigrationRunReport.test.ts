import { describe, expect, it } from 'vitest';
import { estimateLockTime } from './cutover/estimateLockTime.js';
import { UnknownMigrationError } from './errors.js';
import { formatMigrationRunReport } from './formatMigrationRunReport.js';
import {
  CUTOVER_MIGRATION,
  DROP_LEGACY_MAP_MIGRATION,
  LEGACY_SCHEMA_MIGRATION,
} from './migrations/migrationsList.js';
import { resolveMigrationName } from './runMigrations.js';

describe('resolveMigrationName', () => {
  const listed = [LEGACY_SCHEMA_MIGRATION, CUTOVER_MIGRATION];
  it('accepts full names and the part after the timestamp', () => {
    expect(resolveMigrationName(CUTOVER_MIGRATION, listed)).toBe(CUTOVER_MIGRATION);
    expect(resolveMigrationName('legacy_schema', listed)).toBe(LEGACY_SCHEMA_MIGRATION);
    expect(resolveMigrationName('uuidv6_cutover', listed)).toBe(CUTOVER_MIGRATION);
  });
  it('rejects unknown names and the opt-in drop unless it is listed', () => {
    expect(() => resolveMigrationName('schema', listed)).toThrow(UnknownMigrationError);
    expect(() => resolveMigrationName('drop_legacy_user_ids', listed)).toThrow(/opt-in/);
    expect(resolveMigrationName('drop_legacy_user_ids', [...listed, DROP_LEGACY_MAP_MIGRATION])).toBe(
      DROP_LEGACY_MAP_MIGRATION,
    );
  });
});

describe('estimateLockTime', () => {
  it('grows with the row counts', () => {
    const small = estimateLockTime([
      { rows: 1000, work: 'key' },
      { rows: 2000, work: 'references' },
    ]);
    const large = estimateLockTime([
      { rows: 1_000_000, work: 'key' },
      { rows: 2_000_000, work: 'references' },
    ]);
    expect(small).toBeGreaterThan(0);
    expect(large).toBeGreaterThan(small * 100);
  });
});

describe('formatMigrationRunReport', () => {
  it('renders steps, row counts and lock times', () => {
    const text = formatMigrationRunReport({
      dryRun: false,
      initialState: 'legacy',
      adopted: [LEGACY_SCHEMA_MIGRATION],
      alreadyApplied: [LEGACY_SCHEMA_MIGRATION],
      applied: [CUTOVER_MIGRATION],
      cutover: {
        outcome: 'migrated',
        steps: [{ name: 'copy users', ms: 1234.4, rows: 1_000_000 }],
        rowCounts: { users: { before: 1_000_000, after: 1_000_000 } },
        lockWaitMs: 2,
        lockHeldMs: 12_345,
        totalMs: 12_400,
      },
      totalMs: 12_500,
    });
    expect(text).toContain('recognised an unmanaged database');
    expect(text).toContain(`applied: ${CUTOVER_MIGRATION}`);
    expect(text).toMatch(/copy users\s+1234 ms\s+1,000,000 rows/);
    expect(text).toContain('rows users: 1,000,000 -> 1,000,000');
    expect(text).toContain('locks held 12.3 s');
  });
});
