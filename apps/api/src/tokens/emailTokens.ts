import { createHash, randomBytes } from 'node:crypto';
import { type TokenId, User, type UserId, VerificationToken } from '@org/db';
import type { FastifyBaseLogger } from 'fastify';
import type { AppContext, Em } from '../context.js';
import { ProblemError } from '../http/ProblemError.js';
import { queryOne } from '../sql.js';
import { queueEmail } from './queueEmail.js';

export type EmailTokenPurpose = 'email_verification' | 'password_reset';

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

function hashToken(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * Ends every outstanding password-reset token of the user (their `expires_at` becomes now: they answer
 * `token-expired`): a new reset token supersedes the older ones, and using one, or changing the password,
 * leaves none of the others usable (issue 13).
 */
export async function revokeResetTokens(em: Em, userId: UserId): Promise<void> {
  await em.execute(
    `update verification_tokens set expires_at = now()
     where user_id = ? and purpose = 'password_reset' and used_at is null and expires_at > now()`,
    [userId],
    'run',
  );
}

/**
 * Creates a single-use email token (256 bits from the CSPRNG). The database keeps only its SHA-256; the
 * raw secret travels once, in the job payload, to the worker that mails it (see packages/jobs/README.md).
 * A new reset token revokes the user's older ones in the same transaction.
 */
export async function issueEmailToken(
  ctx: AppContext,
  em: Em,
  userId: UserId,
  purpose: EmailTokenPurpose,
): Promise<{ tokenId: TokenId; secret: string }> {
  const secret = randomBytes(32).toString('base64url');
  const ttlSeconds =
    purpose === 'email_verification'
      ? ctx.config.tokens.verificationTtlSeconds
      : ctx.config.tokens.passwordResetTtlSeconds;
  const tokenId = await em.transactional(async (tx) => {
    if (purpose === 'password_reset') await revokeResetTokens(tx, userId);
    const token = tx.create(VerificationToken, {
      user: tx.getReference(User, userId),
      tokenHash: hashToken(secret),
      purpose,
      expiresAt: new Date(Date.now() + ttlSeconds * 1000),
    });
    await tx.flush();
    return token.id;
  });
  return { tokenId, secret };
}

/** Issues the token and queues the email; what happened to the job is logged (see `queueEmail`). */
export async function sendEmailToken(
  ctx: AppContext,
  em: Em,
  userId: UserId,
  purpose: EmailTokenPurpose,
  log: FastifyBaseLogger,
): Promise<void> {
  const { tokenId, secret } = await issueEmailToken(ctx, em, userId, purpose);
  const name = purpose === 'email_verification' ? 'send-verification-email' : 'send-password-reset';
  await queueEmail(ctx, name, { userId, tokenId, secret }, log);
}

interface TokenStateRow {
  used_at: Date | null;
}

/**
 * Marks a token used, atomically (a concurrent second use finds it used), and returns its user. Fails with
 * distinct problems for unknown, already used, and expired tokens.
 */
export async function consumeEmailToken(em: Em, secret: string, purpose: EmailTokenPurpose): Promise<UserId> {
  if (!TOKEN_PATTERN.test(secret)) throw new ProblemError('token-invalid');
  const tokenHash = hashToken(secret);
  const consumed = await em.execute<{ user_id: UserId }[]>(
    `update verification_tokens set used_at = now()
     where token_hash = ? and purpose = ? and used_at is null and expires_at > now()
     returning user_id`,
    [tokenHash, purpose],
    'all',
  );
  const row = consumed[0];
  if (row !== undefined) return row.user_id;
  const state = await queryOne<TokenStateRow>(
    em,
    'select used_at from verification_tokens where token_hash = ? and purpose = ?',
    [tokenHash, purpose],
  );
  if (!state) throw new ProblemError('token-invalid');
  throw new ProblemError(state.used_at === null ? 'token-expired' : 'token-already-used');
}
