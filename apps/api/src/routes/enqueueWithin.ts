import { setTimeout as delay } from 'node:timers/promises';

/** The enqueue, or an error when Redis has not confirmed it within `timeoutMs`. */
export async function enqueueWithin<T>(attempt: Promise<T>, timeoutMs: number): Promise<T> {
  const timeout = new AbortController();
  try {
    return await Promise.race([
      attempt,
      delay(timeoutMs, undefined, { signal: timeout.signal }).then(() => {
        throw new Error(`the job queue did not confirm within ${timeoutMs} ms`);
      }),
    ]);
  } finally {
    timeout.abort();
  }
}
