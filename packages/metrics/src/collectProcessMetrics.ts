import { collectDefaultMetrics, type Registry } from 'prom-client';

/**
 * Adds prom-client's default process metrics (`process_cpu_seconds_total`, `process_resident_memory_bytes`,
 * `nodejs_eventloop_lag_seconds`, `nodejs_heap_size_used_bytes`, GC durations, ...) to `registry`. Call it once
 * per process, for the registry that is scraped: each call starts an event-loop monitor and a GC observer that
 * are never stopped, which is why the apps' metric factories leave it out (tests build many apps in one process).
 *
 * @example
 * collectProcessMetrics(registry);
 */
export function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
}
