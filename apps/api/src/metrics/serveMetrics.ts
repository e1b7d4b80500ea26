import { collectProcessMetrics, type MetricsServer, startMetricsServer } from '@org/metrics';
import type { Registry } from 'prom-client';
import type { Env } from '../env.js';

/**
 * The process's metrics listener as the environment asks: none when `METRICS_PORT` is 0 or unset, else
 * `registry` plus the process metrics on `METRICS_HOST:METRICS_PORT`. Call it once per process.
 *
 * @example
 * const metricsServer = await serveMetrics(app.metrics.registry, env); // null: metrics are off
 */
export async function serveMetrics(
  registry: Registry,
  env: Pick<Env, 'METRICS_HOST' | 'METRICS_PORT'>,
): Promise<MetricsServer | null> {
  if (env.METRICS_PORT === 0) return null;
  collectProcessMetrics(registry);
  return startMetricsServer(registry, { host: env.METRICS_HOST, port: env.METRICS_PORT });
}
