export { collectProcessMetrics } from './collectProcessMetrics.js';
export { type MetricsListen, type MetricsServer, startMetricsServer } from './startMetricsServer.js';
