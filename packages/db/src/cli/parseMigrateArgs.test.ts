import { describe, expect, it } from 'vitest';
import { DEFAULT_DATABASE_URL, readMigrateEnv } from './migrateEnv.js';
import { parseMigrateArgs, UsageError } from './parseMigrateArgs.js';

describe('parseMigrateArgs', () => {
  it('reads every flag', () => {
    expect(
      parseMigrateArgs([
        '--dry-run',
        '--json',
        '--to',
        'legacy_schema',
        '--lock-timeout',
        '250',
        '--parallel-workers',
        '1',
        '--drop-legacy-map',
        '--pglite',
        'memory://',
      ]),
    ).toEqual({
      dryRun: true,
      json: true,
      dropLegacyMap: true,
      help: false,
      to: 'legacy_schema',
      lockTimeoutMs: 250,
      parallelWorkers: 1,
      pglite: 'memory://',
    });
    expect(parseMigrateArgs([])).toEqual({ dryRun: false, json: false, dropLegacyMap: false, help: false });
  });

  it('skips the `--` that pnpm forwards before script arguments', () => {
    expect(parseMigrateArgs(['--', '--dry-run', '--to', 'legacy_schema'])).toMatchObject({
      dryRun: true,
      to: 'legacy_schema',
    });
  });

  it.each([
    [['--force']],
    [['extra']],
    [['--to']],
    [['--to', ' ']],
    [['--lock-timeout', '0']],
    [['--lock-timeout', '1.5']],
    [['--lock-timeout', 'soon']],
    [['--parallel-workers', '-1']],
    [['--parallel-workers', 'many']],
    [['--parallel-workers', '']],
    [['--parallel-workers', '1025']],
  ])('rejects %j with a UsageError', (argv) => {
    expect(() => parseMigrateArgs(argv)).toThrow(UsageError);
  });
});

describe('readMigrateEnv', () => {
  it('defaults DATABASE_URL to the local server and accepts postgres URLs', () => {
    expect(readMigrateEnv({}).DATABASE_URL).toBe(DEFAULT_DATABASE_URL);
    expect(readMigrateEnv({ DATABASE_URL: '' }).DATABASE_URL).toBe(DEFAULT_DATABASE_URL);
    expect(readMigrateEnv({ DATABASE_URL: 'postgresql://u:p@db:5432/app' }).DATABASE_URL).toBe(
      'postgresql://u:p@db:5432/app',
    );
  });

  it('rejects a URL that is not PostgreSQL', () => {
    expect(() => readMigrateEnv({ DATABASE_URL: 'mysql://localhost/app' })).toThrow(
      /DATABASE_URL must be a postgres/,
    );
  });
});
