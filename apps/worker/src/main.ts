import { createLogger } from './createLogger.js';
import { parseEnv } from './env.js';
import { startWorker } from './startWorker.js';

const env = parseEnv(process.env);
const logger = createLogger(env.LOG_LEVEL);
const running = await startWorker(env, logger);

let stopping = false;
function shutdown(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  running.stop().then(
    (outcome) => process.exit(outcome === 'abandoned' ? 1 : 0),
    (error: unknown) => {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    },
  );
}
// `on`, not `once`: wrappers (turbo, tsx) relay the same signal again, and with no listener left it would
// kill the process mid-shutdown. The stop is bounded by SHUTDOWN_TIMEOUT_MS; SIGKILL is the way to force it.
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
