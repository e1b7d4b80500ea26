import { setTimeout as sleep } from 'node:timers/promises';

/** Thrown by `pollUntil` when the condition did not hold in time; says what was awaited and the last state. */
export class PollTimeoutError extends Error {
  override readonly name = 'PollTimeoutError';
}

/**
 * Calls `probe` until it returns a value that is not `undefined`, or fails after `timeoutMs` with
 * `describe()` (the state worth reading when it did not happen: process output, counts).
 */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { timeoutMs: number; intervalMs?: number; describe?: () => string | Promise<string> },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await sleep(options.intervalMs ?? 100);
  }
  const detail = options.describe === undefined ? '' : `\n${await options.describe()}`;
  const cause = lastError === undefined ? '' : `\nlast error: ${(lastError as Error).message}`;
  throw new PollTimeoutError(`timed out after ${options.timeoutMs} ms waiting for ${what}${cause}${detail}`);
}
