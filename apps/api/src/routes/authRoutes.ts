import { EMAIL_MATCHES_SQL, User, UserProfile } from '@org/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type AppContext, emFor } from '../context.js';
import { attachUserToLogs, authOf, requireSession, resolveSession } from '../http/authenticate.js';
import { enforceRateLimit, resetRateLimit } from '../http/enforceRateLimit.js';
import { ProblemError } from '../http/ProblemError.js';
import { ProblemSchema } from '../http/problemSchema.js';
import { clearSessionCookies, setSessionCookie } from '../http/sessionCookie.js';
import { hashPassword } from '../passwords/hashPassword.js';
import { verifyLogin } from '../passwords/verifyLogin.js';
import { queryOne } from '../sql.js';
import { consumeEmailToken, revokeResetTokens, sendEmailToken } from '../tokens/emailTokens.js';
import { accountPendingDeletion, pendingDeletionOf } from '../users/accountDeletion.js';
import { findLoginUser, findMe } from '../users/userQueries.js';
import { MeSchema } from '../users/userSchemas.js';
import { pgText } from '../validation/pgText.js';

const Email = z
  .email()
  .max(254)
  .transform((email) => email.trim().toLowerCase());
export const NewPassword = z.string().min(10).max(256);
const Token = z.string().min(1).max(512);
const Accepted = z.object({ status: z.literal('accepted') });
const problems = { 400: ProblemSchema, 429: ProblemSchema, 503: ProblemSchema };

function loginPolicy(ctx: AppContext) {
  return { scrypt: ctx.config.password, legacyPbkdf2Iterations: ctx.config.legacyPbkdf2Iterations };
}

/** Registration, email verification, login/logout and password reset. */
export function authRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/auth/register',
      {
        schema: {
          tags: ['auth'],
          summary: 'Create an account and send the verification email',
          body: z.strictObject({
            email: Email,
            password: NewPassword,
            firstName: pgText().max(150).default(''),
            lastName: pgText().max(150).default(''),
          }),
          response: { 201: MeSchema, 409: ProblemSchema, ...problems },
        },
      },
      async (request, reply) => {
        await enforceRateLimit(ctx, 'register', request.ip);
        const { email, password, firstName, lastName } = request.body;
        const em = emFor(ctx);
        if ((await findLoginUser(em, email)) !== null) throw new ProblemError('email-taken');
        const user = em.create(User, {
          email,
          password: await hashPassword(password, ctx.config.password, ctx.kdf),
          firstName,
          lastName,
        });
        em.create(UserProfile, { user, displayName: signUpDisplayName(firstName, lastName) });
        try {
          await em.flush();
        } catch (error) {
          if ((error as Error).name === 'UniqueConstraintViolationException')
            throw new ProblemError('email-taken');
          throw error;
        }
        await sendEmailToken(ctx, em, user.id, 'email_verification', request.log);
        const me = await findMe(em, user.id);
        if (me === null) throw new Error('registered user vanished');
        return reply.code(201).send(me);
      },
    );

    app.post(
      '/auth/verify-email',
      {
        schema: {
          tags: ['auth'],
          summary: 'Verify an email address with the emailed token (single use)',
          body: z.strictObject({ token: Token }),
          response: {
            200: z.object({ emailVerified: z.literal(true) }),
            409: ProblemSchema,
            410: ProblemSchema,
            ...problems,
          },
        },
      },
      async (request) => {
        await enforceRateLimit(ctx, 'verify', request.ip);
        const em = emFor(ctx);
        await em.transactional(async (tx) => {
          const userId = await consumeEmailToken(tx, request.body.token, 'email_verification');
          await tx.execute('update users set email_verified = true where id = ?', [userId], 'run');
        });
        return { emailVerified: true as const };
      },
    );

    app.post(
      '/auth/verify-email/resend',
      {
        schema: {
          tags: ['auth'],
          summary: 'Send a new verification email (always 202; one per cooldown per address)',
          body: z.strictObject({ email: Email }),
          response: { 202: Accepted, ...problems },
        },
      },
      async (request, reply) => {
        await enforceRateLimit(ctx, 'resend', request.ip);
        const { email } = request.body;
        await enforceRateLimit(ctx, 'resendCooldown', email);
        // After the answer: its time is the same whether the address has an account or not (issue 13).
        ctx.background.run(request.log, 'verification resend', async () => {
          const em = emFor(ctx);
          const user = await queryOne<{ id: User['id'] }>(
            em,
            `select id from users where ${EMAIL_MATCHES_SQL} and is_active and not email_verified`,
            [email],
          );
          if (user) await sendEmailToken(ctx, em, user.id, 'email_verification', request.log);
        });
        return reply.code(202).send({ status: 'accepted' as const });
      },
    );

    app.post(
      '/auth/login',
      {
        schema: {
          tags: ['auth'],
          summary: 'Sign in; sets the session cookie',
          body: z.strictObject({ email: Email, password: z.string().min(1).max(256) }),
          response: { 200: MeSchema, 401: ProblemSchema, ...problems },
        },
      },
      async (request, reply) => {
        await enforceRateLimit(ctx, 'login', request.ip);
        const { email, password } = request.body;
        await enforceRateLimit(ctx, 'loginEmail', email);
        const em = emFor(ctx);
        const user = await findLoginUser(em, email);
        // The same work whatever the account (unknown, legacy, unusable, deactivated): see verifyLogin.
        const check = await verifyLogin(user?.password ?? null, password, loginPolicy(ctx), ctx.kdf);
        if (check.overBudget !== undefined) request.log.warn(check.overBudget);
        if (user === null || !check.ok) throw new ProblemError('invalid-credentials');
        if (!user.is_active) {
          // Only the owner (the password is right) learns that the account is pending deletion.
          const deleteAfter = await pendingDeletionOf(em, user.id);
          if (deleteAfter === null) throw new ProblemError('invalid-credentials');
          throw accountPendingDeletion(deleteAfter);
        }
        if (check.upgradedHash !== undefined) {
          // Legacy PBKDF2 (or weaker scrypt) hash: store the current format now that we know the password.
          await em.execute(
            'update users set password = ? where id = ? and password = ?',
            [check.upgradedHash, user.id, user.password],
            'run',
          );
        }
        await em.execute('update users set last_login = now() where id = ?', [user.id], 'run');
        await resetRateLimit(ctx, 'loginEmail', email);
        // A new session id at every login: a cookie planted before sign-in never becomes authenticated.
        // The cookie may name another user's session: its id must not label this request's log lines.
        const previous = await resolveSession(ctx, request, reply, { logUser: false });
        if (previous !== null) await ctx.sessions.revokeToken(previous.token);
        const { token } = await ctx.sessions.create(user.id, {
          userAgent: request.headers['user-agent'],
          ip: request.ip,
        });
        setSessionCookie(reply, ctx.config, token);
        attachUserToLogs(request, reply, user.id);
        request.log.info({ rehashed: check.upgradedHash !== undefined }, 'signed in');
        const me = await findMe(em, user.id);
        if (me === null) throw new ProblemError('invalid-credentials');
        return me;
      },
    );

    app.post(
      '/auth/logout',
      {
        schema: {
          tags: ['auth'],
          summary: 'Sign out this browser',
          response: { 204: z.null(), 503: ProblemSchema },
        },
      },
      async (request, reply) => {
        const auth = await resolveSession(ctx, request, reply);
        if (auth !== null) await ctx.sessions.revokeToken(auth.token);
        clearSessionCookies(request, reply, ctx.config);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/auth/logout-all',
      {
        onRequest: requireSession(ctx),
        schema: {
          tags: ['auth'],
          summary: 'Sign out every session of this user',
          response: { 200: z.object({ ended: z.number().int() }), 401: ProblemSchema, 503: ProblemSchema },
        },
      },
      async (request, reply) => {
        const ended = await ctx.sessions.revokeAll(authOf(request).session.userId);
        clearSessionCookies(request, reply, ctx.config);
        return { ended };
      },
    );

    app.post(
      '/auth/password-reset',
      {
        schema: {
          tags: ['auth'],
          summary: 'Email a password-reset token (always 202)',
          body: z.strictObject({ email: Email }),
          response: { 202: Accepted, ...problems },
        },
      },
      async (request, reply) => {
        const { email } = request.body;
        await enforceRateLimit(ctx, 'passwordReset', request.ip);
        await enforceRateLimit(ctx, 'passwordReset', email);
        // After the answer: its time is the same whether the address has an account or not (issue 13).
        ctx.background.run(request.log, 'password reset', async () => {
          const em = emFor(ctx);
          const user = await queryOne<{ id: User['id'] }>(
            em,
            `select id from users where ${EMAIL_MATCHES_SQL} and is_active`,
            [email],
          );
          if (user) await sendEmailToken(ctx, em, user.id, 'password_reset', request.log);
        });
        return reply.code(202).send({ status: 'accepted' as const });
      },
    );

    app.post(
      '/auth/password-reset/confirm',
      {
        schema: {
          tags: ['auth'],
          summary: 'Set a new password with a reset token; ends every session of the user',
          body: z.strictObject({ token: Token, newPassword: NewPassword }),
          response: { 204: z.null(), 409: ProblemSchema, 410: ProblemSchema, ...problems },
        },
      },
      async (request, reply) => {
        await enforceRateLimit(ctx, 'verify', request.ip);
        const passwordHash = await hashPassword(request.body.newPassword, ctx.config.password, ctx.kdf);
        const userId = await emFor(ctx).transactional(async (tx) => {
          const id = await consumeEmailToken(tx, request.body.token, 'password_reset');
          // Rolled back with the rest: the token stays usable if an operator restores the account.
          const deleteAfter = await pendingDeletionOf(tx, id);
          if (deleteAfter !== null) throw accountPendingDeletion(deleteAfter);
          await tx.execute('update users set password = ? where id = ?', [passwordHash, id], 'run');
          await revokeResetTokens(tx, id);
          return id;
        });
        await ctx.sessions.revokeAll(userId);
        clearSessionCookies(request, reply, ctx.config);
        return reply.code(204).send(null);
      },
    );
  };
}

/** A profile's display name holds 150 characters, as each of the names does: together they can be longer. */
const DISPLAY_NAME_MAX = 150;

/** The display name a new profile starts with: the user's full name, cut to what the column holds. */
function signUpDisplayName(firstName: string, lastName: string): string {
  return [...`${firstName} ${lastName}`.trim()].slice(0, DISPLAY_NAME_MAX).join('');
}
