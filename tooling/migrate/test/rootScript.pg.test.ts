import { runRootScript } from '@org/cli/testing';
import { describe, expect } from 'vitest';
import { MIGRATE_COMMAND } from '../src/migrateCommand.js';
import type { MigrateSummary } from '../src/StepReport.js';
import { LEGACY_JOBS, cutoverTest as test } from './cutoverTest.js';

/** Starting pnpm, tsx and the task's imports takes seconds on a quiet machine, a minute or more under CI load. */
const THROUGH_PNPM_MS = 180_000;

describe.concurrent('pnpm migrate through the root script', () => {
  test(
    'answers --help with its usage and exit code 0',
    async () => {
      const { code, stdout } = await runRootScript('migrate', ['--help']);
      expect(code).toBe(0);
      expect(stdout).toContain(MIGRATE_COMMAND.usage);
    },
    THROUGH_PNPM_MS,
  );

  test(
    'keeps exit code 2 for a usage error (pnpm --filter would turn it into 1)',
    async () => {
      const { code, stderr } = await runRootScript('migrate', ['--', '--lock-timeout', 'soon']);
      expect(code).toBe(2);
      expect(stderr).toContain('pnpm migrate: --lock-timeout must be an integer >= 1, got "soon"');
      expect(stderr).toContain('usage: pnpm migrate');
    },
    THROUGH_PNPM_MS,
  );

  test(
    'runs the dry run of every step and prints the JSON summary alone on stdout',
    async ({ legacy }) => {
      const { code, stdout, stderr } = await runRootScript('migrate', ['--dry-run', '--json'], legacy.env);
      const summary = JSON.parse(stdout) as MigrateSummary;
      expect(summary.steps.map((step) => [step.step, step.status])).toEqual([
        ['database', 'planned'],
        ['sessions', 'planned'],
        ['queued-jobs', 'planned'],
      ]);
      expect(summary.steps[2]?.counts).toMatchObject({ found: LEGACY_JOBS });
      expect(code).toBe(0);
      expect(stderr).toContain('== 1/3 database');
      expect(stderr).not.toContain('\x1b[');
    },
    THROUGH_PNPM_MS,
  );
});
