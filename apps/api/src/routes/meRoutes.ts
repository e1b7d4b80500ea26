import { User, UserProfile } from '@org/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type AppContext, emFor } from '../context.js';
import { authOf, requireSession } from '../http/authenticate.js';
import { enforceRateLimit } from '../http/enforceRateLimit.js';
import { ProblemError } from '../http/ProblemError.js';
import { ProblemSchema } from '../http/problemSchema.js';
import { clearSessionCookies, setSessionCookie } from '../http/sessionCookie.js';
import { hashPassword } from '../passwords/hashPassword.js';
import { verifyPassword } from '../passwords/verifyPassword.js';
import { queryOne } from '../sql.js';
import { revokeResetTokens } from '../tokens/emailTokens.js';
import { findMe } from '../users/userQueries.js';
import { MeSchema } from '../users/userSchemas.js';
import { PG_TEXT_MESSAGE, PG_TEXT_PATTERN, pgText } from '../validation/pgText.js';
import { NewPassword } from './authRoutes.js';

const SessionSchema = z
  .object({
    id: z.string(),
    current: z.boolean(),
    createdAt: z.string(),
    lastSeenAt: z.string(),
    expiresAt: z.string(),
    userAgent: z.string().nullable(),
    ip: z.string().nullable(),
  })
  .meta({ id: 'Session' });

const guarded = { 401: ProblemSchema, 503: ProblemSchema };

/** The signed-in user's account, password and sessions. */
export function meRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.addHook('onRequest', requireSession(ctx));
    app.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, security: [{ session: [] }] };
    });

    app.get(
      '/me',
      { schema: { tags: ['me'], summary: 'The signed-in user', response: { 200: MeSchema, ...guarded } } },
      async (request, reply) => {
        const me = await findMe(emFor(ctx), authOf(request).session.userId);
        if (me === null) {
          await ctx.sessions.revokeToken(authOf(request).token);
          clearSessionCookies(request, reply, ctx.config);
          throw ProblemError.unauthenticated();
        }
        return me;
      },
    );

    app.patch(
      '/me',
      {
        schema: {
          tags: ['me'],
          summary: 'Update names and the public profile',
          body: z.strictObject({
            firstName: pgText().max(150).optional(),
            lastName: pgText().max(150).optional(),
            displayName: pgText().max(150).optional(),
            bio: pgText().max(2000).optional(),
            avatarUrl: z
              .url({ protocol: /^https?$/ })
              .regex(PG_TEXT_PATTERN, PG_TEXT_MESSAGE)
              .max(500)
              .nullable()
              .optional(),
          }),
          response: { 200: MeSchema, 400: ProblemSchema, ...guarded },
        },
      },
      async (request) => {
        const userId = authOf(request).session.userId;
        const em = emFor(ctx);
        const user = await em.findOneOrFail(User, { id: userId });
        const { firstName, lastName, displayName, bio, avatarUrl } = request.body;
        if (firstName !== undefined) user.firstName = firstName;
        if (lastName !== undefined) user.lastName = lastName;
        const profile = (await em.findOne(UserProfile, { user: userId })) ?? em.create(UserProfile, { user });
        if (displayName !== undefined) profile.displayName = displayName;
        if (bio !== undefined) profile.bio = bio;
        if (avatarUrl !== undefined) profile.avatarUrl = avatarUrl;
        await em.flush();
        const me = await findMe(em, userId);
        if (me === null) throw ProblemError.unauthenticated();
        return me;
      },
    );

    app.post(
      '/me/password',
      {
        schema: {
          tags: ['me'],
          summary: 'Change the password; ends every other session and renews this one',
          body: z.strictObject({ currentPassword: z.string().min(1).max(256), newPassword: NewPassword }),
          response: { 204: z.null(), 400: ProblemSchema, 403: ProblemSchema, 429: ProblemSchema, ...guarded },
        },
      },
      async (request, reply) => {
        const auth = authOf(request);
        const userId = auth.session.userId;
        // The current password is checked here: without a limit a stolen session could guess it.
        await enforceRateLimit(ctx, 'passwordChange', userId);
        const em = emFor(ctx);
        const row = await queryOne<{ password: string }>(em, 'select password from users where id = ?', [
          userId,
        ]);
        const check = await verifyPassword(
          row?.password ?? '',
          request.body.currentPassword,
          ctx.config.password,
          ctx.kdf,
        );
        if (!check.ok) throw new ProblemError('wrong-password');
        const passwordHash = await hashPassword(request.body.newPassword, ctx.config.password, ctx.kdf);
        await em.transactional(async (tx) => {
          await tx.execute('update users set password = ? where id = ?', [passwordHash, userId], 'run');
          // A reset link mailed before the change must not undo it.
          await revokeResetTokens(tx, userId);
        });
        await ctx.sessions.revokeAll(userId, { except: auth.session.id });
        const renewed = await ctx.sessions.rotate(auth.token);
        if (renewed === null) clearSessionCookies(request, reply, ctx.config);
        else setSessionCookie(reply, ctx.config, renewed.token);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/me/sessions',
      {
        schema: {
          tags: ['me'],
          summary: 'Active sessions of the signed-in user, newest first',
          response: { 200: z.object({ sessions: z.array(SessionSchema) }), ...guarded },
        },
      },
      async (request) => {
        const { session: current } = authOf(request);
        const sessions = await ctx.sessions.list(current.userId);
        return {
          sessions: sessions.map((session) => ({
            id: session.id,
            current: session.id === current.id,
            createdAt: session.createdAt.toISOString(),
            lastSeenAt: session.lastSeenAt.toISOString(),
            expiresAt: session.idleExpiresAt.toISOString(),
            userAgent: session.userAgent,
            ip: session.ip,
          })),
        };
      },
    );

    app.delete(
      '/me/sessions/:sessionId',
      {
        schema: {
          tags: ['me'],
          summary: 'End one session',
          params: z.object({ sessionId: z.string().max(64) }),
          response: { 204: z.null(), 404: ProblemSchema, ...guarded },
        },
      },
      async (request, reply) => {
        const { session } = authOf(request);
        if (!(await ctx.sessions.revoke(session.userId, request.params.sessionId)))
          throw ProblemError.notFound();
        if (request.params.sessionId === session.id) clearSessionCookies(request, reply, ctx.config);
        return reply.code(204).send(null);
      },
    );
  };
}
