import { parseArgs } from 'node:util';
import { removeLegacyKeys } from '@org/sessions';
import { Redis } from 'ioredis';
import { parseEnv } from '../env.js';

/*
 * Redis cutover step of `pnpm migrate`: removes the legacy session and token keys (SCAN + UNLINK).
 * Usage: pnpm --filter @org/api migrate [--dry-run] [--json] [--batch-size N]
 * Exit code 0 when the step is complete (or the dry run succeeded), 1 when Redis failed.
 */
const { values } = parseArgs({
  // pnpm forwards a literal `--` when arguments follow `pnpm <script> --`.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    'dry-run': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'batch-size': { type: 'string', default: '500' },
  },
});
const env = parseEnv(process.env);
const batchSize = Number(values['batch-size']);
if (!Number.isInteger(batchSize) || batchSize < 1) {
  console.error(`--batch-size must be a positive integer, got ${values['batch-size']}`);
  process.exit(2);
}

const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 2, connectTimeout: 5000, lazyConnect: true });
redis.on('error', () => {});
try {
  await redis.connect();
  const report = await removeLegacyKeys({
    redis,
    keyPrefix: env.REDIS_KEY_PREFIX,
    batchSize,
    dryRun: values['dry-run'],
  });
  const result = { step: 'api:redis-legacy-keys', ok: true, ...report };
  if (values.json) console.log(JSON.stringify(result));
  else {
    const verb = report.dryRun ? 'would remove' : 'removed';
    console.log(
      `api redis cutover: ${verb} ${report.removed} legacy keys ` +
        `(session:* ${report.byPattern['session:*']}, user_tokens:* ${report.byPattern['user_tokens:*']}) in ${report.durationMs} ms`,
    );
  }
  process.exitCode = 0;
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  if (values.json) console.log(JSON.stringify({ step: 'api:redis-legacy-keys', ok: false, error: message }));
  else console.error(`api redis cutover failed: ${message} (is Redis reachable at REDIS_URL?)`);
  process.exitCode = 1;
} finally {
  redis.disconnect();
}
