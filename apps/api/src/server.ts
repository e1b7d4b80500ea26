import { redactUrl } from '@org/cli';
import { initOrm } from '@org/db';
import { createJobProducer, queuePrefixFor } from '@org/jobs';
import type { MetricsServer } from '@org/metrics';
import { buildApp } from './app.js';
import { configFromEnv } from './config.js';
import { parseEnv } from './env.js';
import { serveMetrics } from './metrics/serveMetrics.js';
import { createApiQueueRedis, createApiRedis } from './redisClient.js';
import { schemaStatus } from './schemaStatus.js';

const env = parseEnv(process.env);
const orm = await initOrm({ clientUrl: env.DATABASE_URL });
const redisTarget = { url: env.REDIS_URL, clusterNodes: env.REDIS_CLUSTER_NODES };
const redis = createApiRedis(redisTarget);
// BullMQ needs a connection that waits for Redis rather than failing fast; it gets its own. No command timeout:
// a timed-out command stays queued and still runs when Redis returns, so only an answer tells whether a job was
// queued (queueEmail bounds the wait of a request and logs the outcome when it is known).
const jobs = createJobProducer({
  connection: createApiQueueRedis(redisTarget),
  prefix: queuePrefixFor({ configured: env.QUEUE_PREFIX, cluster: env.REDIS_CLUSTER_NODES.length > 0 }),
});
const app = await buildApp({
  orm,
  redis,
  jobs,
  config: configFromEnv(env),
  logger: {
    level: env.LOG_LEVEL,
    redact: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'],
  },
});

let metricsServer: MetricsServer | null = null;
let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  app.log.info({ signal }, 'shutting down');
  const timer = setTimeout(() => {
    app.log.error('graceful shutdown timed out');
    process.exit(1);
  }, env.SHUTDOWN_TIMEOUT_MS);
  timer.unref();
  try {
    // Stops accepting connections and waits for in-flight requests, then closes the backing services.
    await app.close();
    await metricsServer?.close();
    await jobs.close();
    await orm.close();
    redis.disconnect();
    app.log.info({ signal }, 'stopped');
    process.exit(0);
  } catch (error) {
    app.log.error({ err: error }, 'shutdown failed');
    process.exit(1);
  }
}
// `on`, not `once`: wrappers (turbo, tsx) relay the same signal again, and with no listener left it would
// kill the process mid-shutdown.
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

// Prometheus scrapes a listener of its own (METRICS_PORT, 0 = none), never the public port.
metricsServer = await serveMetrics(app.metrics.registry, env);
if (metricsServer !== null) app.log.info({ url: metricsServer.url }, 'metrics listening');
await app.listen({ host: env.HOST, port: env.PORT });

// The api starts on an unmigrated database too (it becomes ready once `pnpm migrate` has run), but says so once.
try {
  if ((await schemaStatus(orm.em.fork())) === 'not migrated') {
    app.log.warn(
      `the database ${redactUrl(env.DATABASE_URL)} is not migrated: run \`pnpm migrate\` (/ready answers 503 until then)`,
    );
  }
} catch (error) {
  app.log.warn({ err: error }, 'could not check the database schema at start-up; /ready tells when it can');
}
