/**
 * `pnpm migrate`: the whole cutover as one monorepo task.
 *
 * turbo runs each package's own `migrate` task in the order its task graph gives (`@org/db` first; the Redis
 * session step of `@org/api` and the queued-jobs step of `@org/worker` only after it succeeded). Each step
 * writes a JSON report into MIGRATE_REPORT_DIR; this script prints the combined summary and exits 0 only
 * when the whole cutover is complete (or, with --dry-run, when every step's checks passed).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

interface StepReport {
  step: string;
  status: 'done' | 'already-done' | 'planned' | 'failed';
  dryRun: boolean;
  durationMs: number;
  summary: string;
  counts: Record<string, number>;
}

const steps = [
  { step: 'database', task: '@org/db#migrate' },
  { step: 'sessions', task: '@org/api#migrate' },
  { step: 'jobs', task: '@org/worker#migrate' },
] as const;

const { values } = parseArgs({
  // pnpm forwards a literal `--` when arguments follow `pnpm <script> --`.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    'dry-run': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(`Usage: pnpm migrate [--dry-run] [--json]

Runs the cutover: the database step (@org/db), then the Redis session/token step (@org/api) and the
queued-jobs step (@org/worker). Configured by DATABASE_URL and REDIS_URL.
  --dry-run  run every step's checks and print the plan; change nothing
  --json     print the combined summary as JSON on stdout (step logs go to stderr)`);
  process.exit(0);
}

const reportDir = mkdtempSync(join(tmpdir(), 'cutover-report-'));
const stepArgs = [...(values['dry-run'] ? ['--dry-run'] : [])];
const started = performance.now();
const turbo = spawnSync(
  'turbo',
  ['run', 'migrate', '--output-logs=full', '--log-order=stream', '--ui=stream', '--', ...stepArgs],
  {
    stdio: ['ignore', values.json ? process.stderr : 'inherit', 'inherit'],
    env: { ...process.env, MIGRATE_REPORT_DIR: reportDir, TURBO_TELEMETRY_DISABLED: '1' },
  },
);

function readReport(step: string): StepReport | undefined {
  try {
    return JSON.parse(readFileSync(join(reportDir, `${step}.json`), 'utf8')) as StepReport;
  } catch {
    return undefined;
  }
}

const reports = steps.map(({ step, task }) => ({ step, task, report: readReport(step) }));
rmSync(reportDir, { recursive: true, force: true });

const okStatuses: StepReport['status'][] = values['dry-run']
  ? ['planned', 'already-done']
  : ['done', 'already-done'];
const complete =
  turbo.status === 0 && reports.every(({ report }) => report && okStatuses.includes(report.status));
const totalMs = Math.round(performance.now() - started);

if (values.json) {
  console.log(
    JSON.stringify(
      {
        complete,
        dryRun: values['dry-run'],
        durationMs: totalMs,
        steps: reports.map(({ step, report }) => report ?? { step, status: 'not-run' }),
      },
      null,
      2,
    ),
  );
} else {
  const lines = reports.map(({ step, task, report }) => {
    if (!report) return `  ${step.padEnd(9)} not run      (${task} did not report; see its log above)`;
    const counts = Object.entries(report.counts)
      .map(([name, count]) => `${name}=${count}`)
      .join(' ');
    return `  ${step.padEnd(9)} ${report.status.padEnd(12)} ${`${(report.durationMs / 1000).toFixed(2)} s`.padStart(9)}  ${report.summary}${counts ? `  [${counts}]` : ''}`;
  });
  const verdict = values['dry-run']
    ? complete
      ? 'dry run: every check passed, nothing was changed'
      : 'dry run: a check failed (see above), nothing was changed'
    : complete
      ? 'cutover complete'
      : 'cutover NOT complete: fix the failing step and run `pnpm migrate` again (finished steps are no-ops)';
  console.log(`\nCutover summary (${(totalMs / 1000).toFixed(1)} s)\n${lines.join('\n')}\n${verdict}`);
}
process.exit(complete ? 0 : 1);
