import type { FastifyBaseLogger } from 'fastify';

/**
 * Work a route starts after its answer, tracked so that `idle()` (the app's onClose, and tests) can wait for
 * it. A failure is logged; the client has had its answer already.
 */
export class BackgroundTasks {
  private readonly pending = new Set<Promise<void>>();

  /** Starts `task` once the current answer has been written (setImmediate runs after the I/O of this turn). */
  run(log: FastifyBaseLogger, what: string, task: () => Promise<void>): void {
    const promise = new Promise<void>((resolve) => setImmediate(resolve))
      .then(task)
      .catch((error: unknown) => log.error({ err: error }, `${what} failed`))
      .finally(() => this.pending.delete(promise));
    this.pending.add(promise);
  }

  /** Resolves when every task started so far, and every task those started, has finished. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
