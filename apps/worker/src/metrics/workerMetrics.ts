import { Counter, Histogram, Registry } from 'prom-client';

/** How one attempt of a job ended: `retried` will run again, `failed` will not. */
export type JobOutcome = 'completed' | 'failed' | 'retried';

/** The worker's metrics, in a registry of their own (tests run several workers in one process). */
export interface WorkerMetrics {
  readonly registry: Registry;
  readonly jobs: Counter<'job' | 'outcome'>;
  readonly jobDuration: Histogram<'job'>;
}

/**
 * Creates the worker's job metrics in a new registry; `observeJobs` feeds them from a BullMQ worker,
 * `observeQueueDepth` adds the queue's depth (read at scrape time), `collectProcessMetrics` the process's.
 *
 * @example
 * const metrics = createWorkerMetrics();
 * observeJobs(worker, metrics);
 * const text = await metrics.registry.metrics();
 */
export function createWorkerMetrics(): WorkerMetrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    jobs: new Counter({
      name: 'worker_jobs_total',
      help: 'Job attempts by job name and outcome: completed, retried (failed, will run again), failed (for good).',
      labelNames: ['job', 'outcome'],
      registers,
    }),
    jobDuration: new Histogram({
      name: 'worker_job_duration_seconds',
      help: 'Time one attempt of a job took, from fetch to its outcome being recorded, by job name.',
      labelNames: ['job'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
  };
}
