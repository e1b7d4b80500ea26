import { UnrecoverableError } from 'bullmq';

/**
 * A job that must fail now, without retries, with a reason for the failed set. Extends BullMQ's
 * `UnrecoverableError`, which is what makes BullMQ skip the remaining attempts.
 */
export class JobRejectedError extends UnrecoverableError {
  override readonly name = 'JobRejectedError';
}

/**
 * A previous attempt claimed this token's email and died before recording the outcome, and the transport
 * cannot tell whether the message left. Sending again could mean two emails, so the job fails for good:
 * the user can ask for a new token.
 */
export class DeliveryOutcomeUnknownError extends UnrecoverableError {
  override readonly name = 'DeliveryOutcomeUnknownError';

  constructor(tokenId: string, previousAttempt: string) {
    super(
      `delivery of the email for token ${tokenId} was interrupted in attempt ${previousAttempt} and the ` +
        'transport cannot tell whether it was sent; not sending again (at most one email per token): ' +
        'the user can request a new token',
    );
  }
}

/** Thrown by a processor that noticed the shutdown signal at a safe point: the job is handed back. */
export class ShutdownRequestedError extends Error {
  override readonly name = 'ShutdownRequestedError';

  constructor() {
    super('worker is shutting down: job handed back to the queue');
  }
}

/** A transient failure worth a retry (database row not visible yet, a lost race). */
export class RetryableJobError extends Error {
  override readonly name = 'RetryableJobError';
}
