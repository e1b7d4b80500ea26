import { createLogger } from './createLogger.js';
import { loadEnv } from './env.js';
import { startWorker } from './startWorker.js';

const env = loadEnv(process.env);
const logger = createLogger(env.LOG_LEVEL);
const running = await startWorker(env, logger);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'shutting down');
    running.stop().then(
      (outcome) => process.exit(outcome === 'abandoned' ? 1 : 0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
