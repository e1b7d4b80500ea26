import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadEnv } from './env.js';
import { formatCutoverReport } from './formatCutoverReport.js';
import { migrateQueuedJobs } from './migrateQueuedJobs.js';

const { values } = parseArgs({
  // pnpm forwards a literal `--` when arguments follow `pnpm <script> --`.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    'dry-run': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(`Usage: pnpm --filter @org/worker migrate [--dry-run] [--json]

Translates queued legacy jobs (integer ids) into their UUID form; unmappable ones go to the failed set.
Run after the database step. Reads REDIS_URL, DATABASE_URL, QUEUE_PREFIX.`);
  process.exit(0);
}

const env = loadEnv(process.env);
try {
  const report = await migrateQueuedJobs({
    redisUrl: env.REDIS_URL,
    databaseUrl: env.DATABASE_URL,
    prefix: env.QUEUE_PREFIX,
    dryRun: values['dry-run'],
    ...(values.json
      ? {}
      : {
          onProgress: ({ queue, done, total }) => {
            process.stderr.write(`\r${queue}: ${done}/${total} queued jobs scanned`);
          },
        }),
  });
  if (!values.json) process.stderr.write('\n');
  console.log(values.json ? JSON.stringify(report, null, 2) : formatCutoverReport(report));
  writeStepReport({
    status:
      report.activeLegacy > 0
        ? 'failed'
        : report.dryRun
          ? 'planned'
          : report.found === 0
            ? 'already-done'
            : 'done',
    durationMs: report.durationMs,
    summary: `${report.found} legacy jobs ${report.dryRun ? 'found' : 'handled'}: ${report.translated} translated, ${report.quarantined} quarantined`,
    counts: { found: report.found, translated: report.translated, quarantined: report.quarantined },
  });
  process.exit(report.activeLegacy > 0 ? 1 : 0);
} catch (error) {
  const message = (error as Error).message;
  console.error(
    values.json
      ? JSON.stringify({ step: 'queued-jobs', error: message })
      : `queued-jobs step failed: ${message}`,
  );
  writeStepReport({ status: 'failed', durationMs: 0, summary: message, counts: {} });
  process.exit(1);
}

/** The monorepo task (`pnpm migrate`) collects each step's outcome from MIGRATE_REPORT_DIR. */
function writeStepReport(outcome: {
  status: string;
  durationMs: number;
  summary: string;
  counts: Record<string, number>;
}) {
  const dir = process.env.MIGRATE_REPORT_DIR;
  if (dir === undefined) return;
  writeFileSync(
    join(dir, 'jobs.json'),
    JSON.stringify({ step: 'jobs', dryRun: values['dry-run'], ...outcome }),
  );
}
