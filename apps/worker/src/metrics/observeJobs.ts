import { performance } from 'node:perf_hooks';
import { isJobName } from '@org/jobs';
import { type Job, UnrecoverableError, type Worker } from 'bullmq';
import type { JobOutcome, WorkerMetrics } from './workerMetrics.js';

/** The `job` label of a name outside the catalog (a stray or legacy job): queue contents never make labels. */
export const UNKNOWN_JOB = 'unknown';

/**
 * Counts and times every attempt `worker` makes, from its events: `active` starts the clock, `completed`
 * and `failed` stop it. A failed attempt is `retried` when BullMQ will run it again (attempts left and not
 * an `UnrecoverableError`), else `failed`, the same rule the processor logs by. A job handed back at
 * shutdown is neither: BullMQ emits no outcome for it.
 *
 * @example
 * observeJobs(createJobWorker({ deps, connection }), metrics);
 */
export function observeJobs(worker: Worker, metrics: Pick<WorkerMetrics, 'jobs' | 'jobDuration'>): void {
  // BullMQ passes the same Job object to `active` and to its outcome event.
  const started = new WeakMap<Job, number>();
  const record = (job: Job, outcome: JobOutcome) => {
    const name = jobLabel(job.name);
    metrics.jobs.inc({ job: name, outcome });
    const start = started.get(job);
    if (start !== undefined) {
      metrics.jobDuration.observe({ job: name }, (performance.now() - start) / 1000);
      started.delete(job);
    }
  };
  worker.on('active', (job) => {
    started.set(job, performance.now());
  });
  worker.on('completed', (job) => record(job, 'completed'));
  worker.on('failed', (job, error) => {
    // undefined when the job vanished before the failure could be recorded: nothing to label it with.
    if (job === undefined) return;
    record(job, isFinalFailure(job, error) ? 'failed' : 'retried');
  });
}

/** `job.attemptsMade` already counts the attempt that just failed when `failed` is emitted. */
function isFinalFailure(job: Job, error: Error): boolean {
  const unrecoverable = error instanceof UnrecoverableError || error.name === 'UnrecoverableError';
  return unrecoverable || job.attemptsMade >= (job.opts.attempts ?? 1);
}

/** A catalog job name, or `unknown`. */
export function jobLabel(name: string): string {
  return isJobName(name) ? name : UNKNOWN_JOB;
}
