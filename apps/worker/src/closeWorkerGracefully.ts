import type { Worker } from 'bullmq';

export interface GracefulCloseOptions {
  /** How long active jobs may run to completion after fetching stops. */
  timeoutMs: number;
  /** After the timeout, how long cancelled jobs get to hand themselves back (default 2 s). */
  handBackMs?: number;
}

/** How the close went: all jobs finished, some were handed back, or the worker was abandoned. */
export type CloseOutcome = 'drained' | 'handed-back' | 'abandoned';

/**
 * `worker.close()` stops fetching and then waits for active jobs with no time limit. This bounds it: after
 * `timeoutMs` every active job is cancelled (its processor sees the abort signal and moves the job back to
 * `wait` at a safe point); a job that still does not return is abandoned: its lock expires and BullMQ's
 * stalled-job check on any other worker hands it back.
 *
 * @example
 * process.once('SIGTERM', () => closeWorkerGracefully(worker, { timeoutMs: 10_000 }));
 */
export async function closeWorkerGracefully(
  worker: Worker,
  options: GracefulCloseOptions,
): Promise<CloseOutcome> {
  const closing = worker.close();
  if (await settlesWithin(closing, options.timeoutMs)) return 'drained';
  worker.cancelAllJobs('shutdown');
  if (await settlesWithin(closing, options.handBackMs ?? 2_000)) return 'handed-back';
  return 'abandoned';
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
