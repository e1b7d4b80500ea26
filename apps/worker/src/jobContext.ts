import type { SessionStore } from '@org/sessions';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { WorkerStore } from './dbStore.js';
import { ShutdownRequestedError } from './errors.js';
import type { DeliveryLedger } from './mail/deliveryLedger.js';
import type { MailTransport } from './mail/mailTransport.js';

/** Everything the processors need; built once by `main.ts` (or a test) and passed to `createProcessor`. */
export interface WorkerDeps {
  store: WorkerStore;
  transport: MailTransport;
  ledger: DeliveryLedger;
  /** The session store of `@org/sessions`: `revokeAll` (purges, deletions) and `list` (exports). */
  sessions: Pick<SessionStore<string>, 'revokeAll' | 'list'>;
  logger: Logger;
  mail: { from: string; verifyEmailUrl: string; resetPasswordUrl: string };
  cleanup: { batchSize: number; graceSeconds: number };
  now?: () => Date;
}

/** One job being processed: its BullMQ handle, a logger that names it, and the shutdown signal. */
export interface JobContext {
  job: Job;
  log: Logger;
  signal: AbortSignal | undefined;
  now: () => Date;
}

/** Called by processors at points where stopping leaves nothing half-done. */
export function throwIfShuttingDown(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new ShutdownRequestedError();
}
