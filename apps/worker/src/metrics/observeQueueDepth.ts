import type { Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';

/**
 * The queue states whose job counts are reported. `prioritized` is waiting too: BullMQ keeps jobs with a
 * priority (the cutover keeps a legacy job's) apart from `waiting`.
 */
export const QUEUE_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed'] as const;

/** How long a scrape waits for Redis by default; Prometheus's own scrape timeout is 10 s by default. */
const READ_TIMEOUT_MS = 2_000;

/**
 * Adds `worker_queue_jobs{queue,state}` to `registry`: the number of jobs of `queue` in each state, read
 * from Redis when Prometheus scrapes (one `getJobCounts` call), so it is never stale. When Redis does not
 * answer within 2 s the scrape goes on without these samples (their absence is the signal) instead of
 * hanging: the worker's connections wait for Redis indefinitely (`maxRetriesPerRequest: null`).
 *
 * @example
 * observeQueueDepth(queue, metrics.registry);
 */
export function observeQueueDepth(
  queue: Queue,
  registry: Registry,
  options: { readTimeoutMs?: number } = {},
): void {
  const readTimeoutMs = options.readTimeoutMs ?? READ_TIMEOUT_MS;
  new Gauge({
    name: 'worker_queue_jobs',
    help: 'Jobs in the queue by state (waiting, prioritized, active, delayed, failed), read from Redis at scrape time.',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      const counts = await withinTimeout(queue.getJobCounts(...QUEUE_STATES), readTimeoutMs);
      if (counts === undefined) return;
      for (const state of QUEUE_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
    },
  });
}

/** The promise's value, or undefined when it rejects or takes longer than `ms`. */
async function withinTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
