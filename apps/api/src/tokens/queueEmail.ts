import { setTimeout as delay } from 'node:timers/promises';
import type { TokenId, UserId } from '@org/db';
import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from '../context.js';

export type EmailJobName = 'send-verification-email' | 'send-password-reset';

/**
 * Whether a failed enqueue certainly added nothing: the payload was refused before anything reached Redis,
 * or Redis answered with an error. Anything else (a timeout, a connection closed after the command was
 * written) leaves the outcome unknown: the job may be in the queue.
 */
function certainlyNotQueued(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'JobPayloadError' || name === 'ReplyError';
}

/**
 * Queues an email job and logs what actually happened (issue 13: "could not enqueue" was logged for jobs that
 * were queued and delivered once Redis came back):
 * - queued: `info` "queued <job>";
 * - Redis refused it: `error` "could not enqueue <job>" (nothing was queued);
 * - no answer within `enqueueTimeoutMs`: `warn` "<job> not confirmed yet", and the request goes on; the producer's
 *   connection keeps the command until Redis answers, and the outcome is logged then ("queued <job> after all"
 *   or "could not enqueue <job>");
 * - an error of unknown outcome (the connection closed mid-command): `warn` "<job> may not have been queued".
 * The token exists either way; a user with no email can ask again.
 */
export async function queueEmail(
  ctx: AppContext,
  name: EmailJobName,
  payload: { userId: UserId; tokenId: TokenId; secret: string },
  log: FastifyBaseLogger,
): Promise<void> {
  const started = performance.now();
  const context = { job: name, tokenId: payload.tokenId };
  const attempt = ctx.jobs.enqueue(name, payload).then(
    (job) => ({ queued: true as const, jobId: job.id }),
    (error: unknown) => ({ queued: false as const, error }),
  );
  const timeout = new AbortController();
  const outcome = await Promise.race([
    attempt,
    delay(ctx.config.jobs.enqueueTimeoutMs, undefined, { signal: timeout.signal }).then(
      () => 'pending' as const,
      () => 'pending' as const,
    ),
  ]);
  timeout.abort();
  const report = (result: Awaited<typeof attempt>, late: boolean) => {
    const waitedMs = Math.round(performance.now() - started);
    if (result.queued) {
      log.info(
        { ...context, jobId: result.jobId, waitedMs },
        late ? `queued ${name} after all` : `queued ${name}`,
      );
    } else if (certainlyNotQueued(result.error)) {
      log.error({ ...context, err: result.error, waitedMs }, `could not enqueue ${name}: nothing was queued`);
    } else {
      log.warn(
        { ...context, err: result.error, waitedMs },
        `${name} may not have been queued: the connection to Redis failed before it confirmed the job`,
      );
    }
  };
  if (outcome !== 'pending') {
    report(outcome, false);
    return;
  }
  log.warn(
    { ...context, waitedMs: ctx.config.jobs.enqueueTimeoutMs },
    `${name} not confirmed yet: Redis did not answer within ${ctx.config.jobs.enqueueTimeoutMs} ms; the outcome is logged when it does`,
  );
  void attempt.then((result) => report(result, true));
}
