import { resolve } from 'node:path';
import { initOrm } from '@org/db';
import { DEFAULT_JOB_OPTIONS, JOBS_QUEUE } from '@org/jobs';
import { createSessionStore } from '@org/sessions';
import { Queue, type Worker } from 'bullmq';
import type { Logger } from 'pino';
import { type CloseOutcome, closeWorkerGracefully } from './closeWorkerGracefully.js';
import { createDbStore } from './dbStore.js';
import type { Env } from './env.js';
import { createMailTransport } from './mail/createMailTransport.js';
import { createDeliveryLedger } from './mail/deliveryLedger.js';
import { observeJobs } from './metrics/observeJobs.js';
import { observeQueueDepth } from './metrics/observeQueueDepth.js';
import { serveMetrics } from './metrics/serveMetrics.js';
import { createWorkerMetrics, type WorkerMetrics } from './metrics/workerMetrics.js';
import { createRedisConnection } from './redisConnection.js';
import { scheduleAccountLifecycle, scheduleCleanup } from './scheduleCleanup.js';
import { createJobWorker } from './worker.js';

export interface RunningWorker {
  worker: Worker;
  queue: Queue;
  metrics: WorkerMetrics;
  /** `http://host:port/metrics` when WORKER_METRICS_PORT is set, else null (no listener). */
  metricsUrl: string | null;
  /** Stops fetching, finishes or hands back active jobs within `SHUTDOWN_TIMEOUT_MS`, closes connections. */
  stop(): Promise<CloseOutcome>;
}

export interface StartWorkerOptions {
  queueName?: string;
}

/**
 * Wires the worker from a parsed environment: database, Redis, mail transport, session store, the cleanup
 * scheduler, and the BullMQ worker itself. `main.ts` runs it as a process.
 *
 * @example
 * const running = await startWorker(parseEnv(), createLogger('info'));
 * await running.stop();
 */
export async function startWorker(
  env: Env,
  logger: Logger,
  options: StartWorkerOptions = {},
): Promise<RunningWorker> {
  const queueName = options.queueName ?? JOBS_QUEUE;
  const orm = await initOrm({ clientUrl: env.DATABASE_URL });
  const redisTarget = { url: env.REDIS_URL, clusterNodes: env.REDIS_CLUSTER_NODES };
  const workerConnection = createRedisConnection(redisTarget, 'worker');
  const clientConnection = createRedisConnection(redisTarget, 'worker-client');
  const transport = createMailTransport(env);
  const queue = new Queue(queueName, {
    connection: clientConnection,
    prefix: env.QUEUE_PREFIX,
    defaultJobOptions: DEFAULT_JOB_OPTIONS,
  });
  const worker = createJobWorker({
    connection: workerConnection,
    prefix: env.QUEUE_PREFIX,
    queueName,
    concurrency: env.WORKER_CONCURRENCY,
    deps: {
      store: createDbStore(orm),
      transport,
      ledger: createDeliveryLedger({
        redis: clientConnection,
        keyPrefix: `${env.QUEUE_PREFIX}:${queueName}:`,
      }),
      sessions: createSessionStore({
        redis: clientConnection,
        keyPrefix: env.REDIS_KEY_PREFIX,
        idleTtlSeconds: env.SESSION_IDLE_TTL_SECONDS,
        absoluteTtlSeconds: env.SESSION_ABSOLUTE_TTL_SECONDS,
      }),
      logger,
      mail: {
        from: env.MAIL_FROM,
        verifyEmailUrl: env.VERIFY_EMAIL_URL,
        resetPasswordUrl: env.RESET_PASSWORD_URL,
      },
      cleanup: { batchSize: env.CLEANUP_BATCH_SIZE, graceSeconds: env.TOKEN_GRACE_SECONDS },
    },
  });
  const metrics = createWorkerMetrics();
  observeJobs(worker, metrics);
  observeQueueDepth(queue, metrics.registry);
  await scheduleCleanup(queue, env.CLEANUP_EVERY_MS);
  await scheduleAccountLifecycle(queue, env.CLEANUP_EVERY_MS);
  await worker.waitUntilReady();
  logger.info({ queue: queueName, prefix: env.QUEUE_PREFIX, transport: transport.kind }, 'worker started');
  if (transport.kind === 'file') {
    // Development default: nothing is sent; say where the verification and reset emails can be read.
    logger.info(
      { mailDir: resolve(env.MAIL_DIR) },
      'MAIL_TRANSPORT=file: emails are not sent but written, one JSON file each, into mailDir',
    );
  }

  const metricsServer = await serveMetrics(metrics.registry, env);
  if (metricsServer !== null) logger.info({ url: metricsServer.url }, 'metrics listening');

  let stopping: Promise<CloseOutcome> | undefined;
  return {
    worker,
    queue,
    metrics,
    metricsUrl: metricsServer?.url ?? null,
    stop() {
      stopping ??= (async () => {
        await metricsServer?.close();
        const outcome = await closeWorkerGracefully(worker, { timeoutMs: env.SHUTDOWN_TIMEOUT_MS });
        await queue.close();
        await transport.close();
        await orm.close();
        workerConnection.disconnect();
        await clientConnection.quit();
        logger.info({ outcome }, 'worker stopped');
        return outcome;
      })();
      return stopping;
    },
  };
}
