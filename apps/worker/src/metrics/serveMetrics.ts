import { collectProcessMetrics, type MetricsServer, startMetricsServer } from '@org/metrics';
import type { Registry } from 'prom-client';
import type { Env } from '../env.js';

/**
 * The process's metrics listener as the environment asks: none when `WORKER_METRICS_PORT` is 0 or unset,
 * else `registry` plus the process metrics on `WORKER_METRICS_HOST:WORKER_METRICS_PORT`. Once per process.
 *
 * @example
 * const metricsServer = await serveMetrics(metrics.registry, env); // null: metrics are off
 */
export async function serveMetrics(
  registry: Registry,
  env: Pick<Env, 'WORKER_METRICS_HOST' | 'WORKER_METRICS_PORT'>,
): Promise<MetricsServer | null> {
  if (env.WORKER_METRICS_PORT === 0) return null;
  collectProcessMetrics(registry);
  return startMetricsServer(registry, { host: env.WORKER_METRICS_HOST, port: env.WORKER_METRICS_PORT });
}
