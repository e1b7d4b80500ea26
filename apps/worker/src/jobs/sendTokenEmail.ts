import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { TokenId, UserId } from '@org/db';
import type { EmailJobName } from '@org/jobs';
import { DeliveryOutcomeUnknownError, JobRejectedError, RetryableJobError } from '../errors.js';
import { type JobContext, throwIfShuttingDown, type WorkerDeps } from '../jobContext.js';
import { renderTokenEmail } from '../mail/renderTokenEmail.js';

export interface TokenEmailPayload {
  userId: UserId;
  tokenId: TokenId;
  secret?: string | undefined;
}

export type TokenEmailResult =
  | { status: 'sent'; messageId: string }
  | { status: 'already-sent' }
  | { status: 'skipped'; reason: 'token-used' | 'token-expired' | 'user-inactive' };

const purposeOf = {
  'send-verification-email': 'email_verification',
  'send-password-reset': 'password_reset',
} as const;

/**
 * Sends the verification or password-reset email of one token, at most once per token.
 *
 * Guarantee: the ledger key is claimed (`SET`-if-absent, atomically) right before delivery and marked
 * `sent` right after, so any retry of a delivered email skips. The one ambiguous case is a process that dies
 * between delivering and marking: the next attempt finds the claim of a dead attempt and asks the transport
 * whether that message id went out. The file transport knows (the file exists or not) and the email is sent
 * exactly once; SMTP cannot know, so the job fails for good (`DeliveryOutcomeUnknownError`): at most once.
 */
export async function sendTokenEmail(
  kind: EmailJobName,
  payload: TokenEmailPayload,
  context: JobContext,
  deps: WorkerDeps,
): Promise<TokenEmailResult> {
  const { ledger, transport } = deps;
  const record = await deps.store.loadTokenEmail(payload.tokenId);
  if (record === null) {
    throw new RetryableJobError(`token ${payload.tokenId} not found (not committed yet, or deleted)`);
  }
  if (record.userId !== payload.userId) {
    throw new JobRejectedError(`token ${payload.tokenId} belongs to another user than ${payload.userId}`);
  }
  if (record.purpose !== purposeOf[kind]) {
    throw new JobRejectedError(`token ${payload.tokenId} is a ${record.purpose} token, not for ${kind}`);
  }
  if (payload.secret === undefined) {
    if ((await ledger.read(payload.tokenId))?.startsWith('sent:')) return { status: 'already-sent' };
    throw new JobRejectedError(
      'the job carries no secret (removed after a final failure, or never passed by the producer), so the ' +
        'email cannot be built: the user can request a new token',
    );
  }
  if (!secretMatches(payload.secret, record.tokenHash)) {
    throw new JobRejectedError(`secret does not match the hash of token ${payload.tokenId}`);
  }
  if (record.usedAt !== null) return { status: 'skipped', reason: 'token-used' };
  if (record.expiresAt.getTime() <= context.now().getTime())
    return { status: 'skipped', reason: 'token-expired' };
  if (!record.isActive) return { status: 'skipped', reason: 'user-inactive' };

  const template = kind === 'send-verification-email' ? deps.mail.verifyEmailUrl : deps.mail.resetPasswordUrl;
  const message = renderTokenEmail({
    kind,
    tokenId: record.tokenId,
    to: record.email,
    firstName: record.firstName,
    link: template.replace('{token}', encodeURIComponent(payload.secret)),
    expiresAt: record.expiresAt,
    from: deps.mail.from,
  });

  throwIfShuttingDown(context.signal);
  const attempt = `${context.job.id}/${context.job.attemptsStarted}/${randomUUID().slice(0, 8)}`;
  const claim = await ledger.claim(record.tokenId, attempt);
  if (claim.state === 'sent') {
    context.log.info({ by: claim.by }, 'email already sent for this token; skipping');
    return { status: 'already-sent' };
  }
  if (claim.state === 'sending') {
    if (transport.wasDelivered === undefined) throw new DeliveryOutcomeUnknownError(record.tokenId, claim.by);
    if (await transport.wasDelivered(message.messageId)) {
      await ledger.markSent(record.tokenId, claim.by);
      context.log.warn(
        { by: claim.by },
        'an interrupted attempt had delivered the email; recorded it as sent',
      );
      return { status: 'already-sent' };
    }
    if (!(await ledger.takeOver(record.tokenId, claim.value, attempt))) {
      throw new RetryableJobError(`another attempt is delivering the email for token ${record.tokenId}`);
    }
    context.log.warn({ by: claim.by }, 'an interrupted attempt had not delivered the email; sending it');
  }

  try {
    await transport.deliver(message);
  } catch (error) {
    // A transport may fail after the message left (a connection reset after the server accepted it): ask
    // it when it can tell, so the retry does not send a second copy.
    if (transport.wasDelivered !== undefined && (await transport.wasDelivered(message.messageId))) {
      await ledger.markSent(record.tokenId, attempt);
      context.log.warn({ err: error }, 'transport failed after the email was delivered; recorded it as sent');
      return { status: 'sent', messageId: message.messageId };
    }
    await ledger.release(record.tokenId, attempt);
    throw error;
  }
  await ledger.markSent(record.tokenId, attempt);
  context.log.info({ messageId: message.messageId, transport: transport.kind }, 'email delivered');
  return { status: 'sent', messageId: message.messageId };
}

function secretMatches(secret: string, tokenHash: string): boolean {
  const actual = createHash('sha256').update(secret).digest();
  const expected = Buffer.from(tokenHash, 'hex');
  return expected.length === actual.length && timingSafeEqual(actual, expected);
}
