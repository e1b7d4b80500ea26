import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { removeLegacyKeys } from '@org/sessions';
import { Redis } from 'ioredis';
import { parseEnv } from '../env.js';

/*
 * Redis cutover step of `pnpm migrate`: removes the legacy session and token keys (SCAN + UNLINK) found under
 * LEGACY_KEY_PREFIX. Usage: pnpm --filter @org/api migrate [--dry-run] [--json] [--batch-size N]
 * Exit code 0 when the step is complete (or the dry run succeeded), 1 when Redis failed, 2 for a bad command line.
 */
const USAGE = 'usage: pnpm --filter @org/api migrate [--dry-run] [--json] [--batch-size N]';
let values: { 'dry-run': boolean; json: boolean; 'batch-size': string };
try {
  ({ values } = parseArgs({
    // pnpm forwards a literal `--` when arguments follow `pnpm <script> --`.
    args: process.argv.slice(2).filter((arg) => arg !== '--'),
    options: {
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'batch-size': { type: 'string', default: '500' },
    },
  }));
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
const env = parseEnv(process.env);
const batchSize = Number(values['batch-size']);
if (!Number.isInteger(batchSize) || batchSize < 1) {
  console.error(`--batch-size must be a positive integer, got ${values['batch-size']}\n${USAGE}`);
  process.exit(2);
}

const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 2, connectTimeout: 5000, lazyConnect: true });
redis.on('error', () => {});
try {
  await redis.connect();
  const report = await removeLegacyKeys({
    redis,
    keyPrefix: env.LEGACY_KEY_PREFIX,
    batchSize,
    dryRun: values['dry-run'],
  });
  const result = { step: 'api:redis-legacy-keys', ok: true, ...report };
  const verb = report.dryRun ? 'would remove' : 'removed';
  const summary =
    `${verb} ${report.removed} legacy keys ` +
    `(session:* ${report.byPattern['session:*']}, user_tokens:* ${report.byPattern['user_tokens:*']})`;
  if (values.json) console.log(JSON.stringify(result));
  else console.log(`api redis cutover: ${summary} in ${report.durationMs} ms`);
  writeStepReport({
    status: report.dryRun ? 'planned' : report.removed === 0 ? 'already-done' : 'done',
    durationMs: report.durationMs,
    summary,
    counts: { removed: report.removed, ...report.byPattern },
  });
  process.exitCode = 0;
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  if (values.json) console.log(JSON.stringify({ step: 'api:redis-legacy-keys', ok: false, error: message }));
  else console.error(`api redis cutover failed: ${message} (is Redis reachable at REDIS_URL?)`);
  writeStepReport({ status: 'failed', durationMs: 0, summary: message, counts: {} });
  process.exitCode = 1;
} finally {
  redis.disconnect();
}

/** The monorepo task (`pnpm migrate`) collects each step's outcome from MIGRATE_REPORT_DIR. */
function writeStepReport(outcome: {
  status: 'done' | 'already-done' | 'planned' | 'failed';
  durationMs: number;
  summary: string;
  counts: Record<string, number>;
}): void {
  const dir = process.env.MIGRATE_REPORT_DIR;
  if (!dir) return;
  writeFileSync(
    join(dir, 'sessions.json'),
    JSON.stringify({ step: 'sessions', dryRun: values['dry-run'], ...outcome }),
  );
}
