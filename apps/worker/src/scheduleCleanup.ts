import { DEFAULT_JOB_OPTIONS } from '@org/jobs';
import type { Queue } from 'bullmq';

/** The id of the job scheduler that enqueues `cleanup-expired-tokens`. */
export const CLEANUP_SCHEDULER_ID = 'cleanup-expired-tokens';

/**
 * Creates or updates the scheduler that enqueues `cleanup-expired-tokens` every `everyMs`. Upserting is
 * idempotent, so every worker process can call it at start: there is still one scheduler, one job per tick.
 */
export async function scheduleCleanup(queue: Queue, everyMs: number): Promise<void> {
  await upsertScheduler(queue, CLEANUP_SCHEDULER_ID, everyMs);
}

/** The ids of the job schedulers of the account lifecycle (issue 15); each job has the scheduler's name. */
export const ACCOUNT_SCHEDULER_IDS = ['remove-expired-exports', 'delete-accounts-past-grace'] as const;

/**
 * Creates or updates the schedulers that remove expired exports and delete accounts past their deletion
 * grace, every `everyMs`; idempotent like `scheduleCleanup`, so every worker process calls it at start.
 */
export async function scheduleAccountLifecycle(queue: Queue, everyMs: number): Promise<void> {
  for (const id of ACCOUNT_SCHEDULER_IDS) await upsertScheduler(queue, id, everyMs);
}

/** A scheduler that enqueues the job of its own name, without data, every `everyMs`, with 3 attempts. */
async function upsertScheduler(queue: Queue, id: string, everyMs: number): Promise<void> {
  await queue.upsertJobScheduler(
    id,
    { every: everyMs },
    {
      name: id,
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
