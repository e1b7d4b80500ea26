import { DEFAULT_JOB_OPTIONS } from '@org/jobs';
import type { Queue } from 'bullmq';

/** The id of the job scheduler that enqueues `cleanup-expired-tokens`. */
export const CLEANUP_SCHEDULER_ID = 'cleanup-expired-tokens';

/**
 * Creates or updates the scheduler that enqueues `cleanup-expired-tokens` every `everyMs`. Upserting is
 * idempotent, so every worker process can call it at start: there is still one scheduler, one job per tick.
 */
export async function scheduleCleanup(queue: Queue, everyMs: number): Promise<void> {
  await queue.upsertJobScheduler(
    CLEANUP_SCHEDULER_ID,
    { every: everyMs },
    {
      name: 'cleanup-expired-tokens',
      data: {},
      opts: {
        attempts: 3,
        backoff: DEFAULT_JOB_OPTIONS.backoff,
        removeOnComplete: DEFAULT_JOB_OPTIONS.removeOnComplete,
        removeOnFail: DEFAULT_JOB_OPTIONS.removeOnFail,
      },
    },
  );
}
