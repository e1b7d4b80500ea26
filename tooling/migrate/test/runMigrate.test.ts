import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureIo } from '@org/cli/testing';
import { DatabaseUnreachableError } from '@org/db';
import { describe, expect, it } from 'vitest';
import type { MigrateStep, StepResult } from '../src/MigrateStep.js';
import { parseEnv } from '../src/migrateEnv.js';
import { runMigrate } from '../src/runMigrate.js';
import type { MigrateSummary, StepName } from '../src/StepReport.js';

const ENV = { NO_COLOR: '1' };

/** A step that records that it ran and answers `result` (or throws it). */
function fakeStep(
  name: StepName,
  needs: MigrateStep['needs'],
  result: Partial<StepResult> | Error,
  ran: string[],
): MigrateStep {
  return {
    name,
    title: `${name}: fake`,
    needs,
    async run(context) {
      ran.push(`${name}${context.options.dryRun ? ' (dry run)' : ''}`);
      if (result instanceof Error) throw result;
      return {
        status: 'done',
        summary: `${name} ok`,
        counts: {},
        details: `${name} details`,
        report: { name },
        ...result,
      };
    },
  };
}

async function run(steps: MigrateStep[], ...argv: string[]) {
  const io = captureIo({ env: ENV });
  const code = await runMigrate(['--json', ...argv], io, steps);
  return { code, summary: JSON.parse(io.out()) as MigrateSummary, err: io.err() };
}

const unreachable = () =>
  new DatabaseUnreachableError('postgres://db:5432/app', new Error('connect ECONNREFUSED'));

describe('runMigrate', () => {
  it('runs the steps in order and is complete when each is done', async () => {
    const ran: string[] = [];
    const { code, summary, err } = await run([
      fakeStep('database', ['PostgreSQL'], {}, ran),
      fakeStep('sessions', ['Redis'], { status: 'already-done' }, ran),
      fakeStep('queued-jobs', ['PostgreSQL', 'Redis'], {}, ran),
    ]);
    expect(ran).toEqual(['database', 'sessions', 'queued-jobs']);
    expect(code).toBe(0);
    expect(summary).toMatchObject({ complete: true, dryRun: false });
    expect(summary.steps.map((s) => [s.step, s.status, s.report])).toEqual([
      ['database', 'done', { name: 'database' }],
      ['sessions', 'already-done', { name: 'sessions' }],
      ['queued-jobs', 'done', { name: 'queued-jobs' }],
    ]);
    expect(err).toContain('== 1/3 database: fake\ndatabase details\ndatabase: done in');
  });

  it('stops a real run at the first failure: later steps are skipped with the reason, exit 1', async () => {
    const ran: string[] = [];
    const { code, summary } = await run([
      fakeStep('database', ['PostgreSQL'], new Error('lock timeout on users\nsecond line'), ran),
      fakeStep('sessions', ['Redis'], {}, ran),
      fakeStep('queued-jobs', ['PostgreSQL', 'Redis'], {}, ran),
    ]);
    expect(ran).toEqual(['database']);
    expect(code).toBe(1);
    expect(summary.steps.map((s) => [s.step, s.status, s.summary])).toEqual([
      ['database', 'failed', 'lock timeout on users'],
      ['sessions', 'skipped', 'not run: the database step did not succeed'],
      ['queued-jobs', 'skipped', 'not run: the database step did not succeed'],
    ]);
    expect(summary.steps[0]?.error).toMatchObject({ name: 'Error', code: 'UNEXPECTED' });
  });

  it('goes on in a dry run, except into a service an earlier step could not reach', async () => {
    const ran: string[] = [];
    const { code, summary } = await run(
      [
        fakeStep('database', ['PostgreSQL'], unreachable(), ran),
        fakeStep('sessions', ['Redis'], { status: 'planned' }, ran),
        fakeStep('queued-jobs', ['PostgreSQL', 'Redis'], { status: 'planned' }, ran),
      ],
      '--dry-run',
    );
    expect(ran).toEqual(['database (dry run)', 'sessions (dry run)']);
    expect(code).toBe(1);
    expect(summary.steps.map((s) => s.status)).toEqual(['failed', 'planned', 'skipped']);
    expect(summary.steps[0]?.error).toMatchObject({
      name: 'DatabaseUnreachableError',
      code: 'DB_UNREACHABLE',
    });
    expect(summary.steps[2]?.summary).toBe(
      'not run: PostgreSQL could not be reached (see the database step)',
    );
  });

  it('prints a readable summary whose verdict names what failed and what did not run', async () => {
    const io = captureIo({ env: ENV });
    const ran: string[] = [];
    const code = await runMigrate([], io, [
      fakeStep('database', ['PostgreSQL'], {}, ran),
      fakeStep('sessions', ['Redis'], { status: 'failed', summary: '2 legacy jobs are active' }, ran),
      fakeStep('queued-jobs', ['PostgreSQL', 'Redis'], {}, ran),
    ]);
    expect(code).toBe(1);
    expect(io.out()).toMatch(/Cutover summary \(\d+\.\d s\)\n {2}database/);
    expect(io.out()).toContain(
      'cutover NOT complete: sessions failed (2 legacy jobs are active); queued-jobs not run. Fix it and run `pnpm migrate` again',
    );
    expect(io.out()).not.toContain('\x1b[');
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--lock-timeout', '0'], '--lock-timeout must be an integer >= 1, got "0"'],
    [['--parallel-workers', 'many'], '--parallel-workers must be an integer >= 0, got "many"'],
    [['--preset', 'rails'], 'invalid cutover configuration:\n  - preset: Invalid input: expected "django"'],
    [['--config', '/nonexistent/cutover.json'], '--config: cannot read /nonexistent/cutover.json as JSON'],
  ])('%j is a usage error: exit 2 with the usage, no step run', async (argv, problem) => {
    const io = captureIo({ env: ENV });
    const ran: string[] = [];
    expect(await runMigrate(argv, io, [fakeStep('database', ['PostgreSQL'], {}, ran)])).toBe(2);
    expect(io.err()).toContain(`pnpm migrate: ${problem}`);
    expect(io.err()).toContain('usage: pnpm migrate [--dry-run] [--json] [database options]');
    expect(ran).toEqual([]);
  });

  it('passes the database flags to the database step as one options object; flags override --config', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'migrate-config-'));
    const config = join(dir, 'cutover.json');
    await writeFile(config, JSON.stringify({ usersTable: 'accounts_user', createdColumn: 'created' }));
    let seen: unknown;
    const step: MigrateStep = {
      name: 'database',
      title: 'database',
      needs: [],
      async run({ options }) {
        seen = options.database;
        return { status: 'done', summary: '', counts: {}, details: '', report: {} };
      },
    };
    const argv = [
      '--lock-timeout',
      '250',
      '--parallel-workers',
      '0',
      '--config',
      config,
      '--users-table',
      'auth_user',
    ];
    expect(await runMigrate(argv, captureIo({ env: ENV }), [step])).toBe(0);
    expect(seen).toEqual({
      lockTimeoutMs: 250,
      parallelWorkers: 0,
      cutover: { usersTable: 'auth_user', createdColumn: 'created' },
    });
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses an environment it cannot use with exit 2, naming the variable', async () => {
    const io = captureIo({ env: { DATABASE_URL: 'mysql://localhost/app' } });
    expect(await runMigrate([], io, [])).toBe(2);
    expect(io.err()).toContain('DATABASE_URL: must be a postgres:// or postgresql:// URL');
  });
});

describe('parseEnv', () => {
  it('reads DATABASE_URL="" as unset, like the api and the worker', () => {
    expect(parseEnv({ DATABASE_URL: '', REDIS_URL: '' })).toEqual({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_CLUSTER_NODES: [],
      LEGACY_KEY_PREFIX: '',
      QUEUE_PREFIX: 'bull',
    });
  });

  it('reads REDIS_CLUSTER_NODES, gives the queues a hash-tagged prefix there, and refuses one without a tag', () => {
    const cluster = { REDIS_CLUSTER_NODES: '127.0.0.1:7000, 127.0.0.1:7001' };
    expect(parseEnv(cluster)).toMatchObject({
      REDIS_CLUSTER_NODES: ['127.0.0.1:7000', '127.0.0.1:7001'],
      QUEUE_PREFIX: '{bull}',
    });
    expect(() => parseEnv({ ...cluster, QUEUE_PREFIX: 'bull' })).toThrow(/QUEUE_PREFIX.*no \{hash tag\}/);
    expect(() => parseEnv({ REDIS_CLUSTER_NODES: '127.0.0.1' })).toThrow(
      /REDIS_CLUSTER_NODES.*not host:port/,
    );
  });
});
