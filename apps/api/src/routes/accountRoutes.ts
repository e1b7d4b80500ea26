import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type AppContext, emFor } from '../context.js';
import { authOf, requireSession } from '../http/authenticate.js';
import { enforceRateLimit } from '../http/enforceRateLimit.js';
import { ProblemError } from '../http/ProblemError.js';
import { ProblemSchema } from '../http/problemSchema.js';
import { clearSessionCookies } from '../http/sessionCookie.js';
import { verifyPassword } from '../passwords/verifyPassword.js';
import { queryOne } from '../sql.js';
import { deactivateForDeletion } from '../users/accountDeletion.js';
import { enqueueWithin } from './enqueueWithin.js';

/** The purge job runs this long after the deletion: it also ends a session a racing sign-in created. */
export const PURGE_DELAY_MS = 10_000;

const DeletionScheduledSchema = z
  .object({ status: z.literal('scheduled'), deleteAfter: z.string() })
  .meta({ id: 'DeletionScheduled' });

/** Account deletion (issue 15): deactivate now, delete after the grace period (the worker's scheduler). */
export function accountRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.addHook('onRequest', requireSession(ctx));
    app.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, security: [{ session: [] }] };
    });

    app.delete(
      '/me',
      {
        schema: {
          tags: ['me'],
          summary:
            'Delete my account: deactivated and signed out at once, deleted with all its data after the grace period',
          body: z.strictObject({ password: z.string().min(1).max(256) }),
          response: {
            202: DeletionScheduledSchema,
            400: ProblemSchema,
            401: ProblemSchema,
            403: ProblemSchema,
            429: ProblemSchema,
            503: ProblemSchema,
          },
        },
      },
      async (request, reply) => {
        const auth = authOf(request);
        const userId = auth.session.userId;
        // The password is checked here: without a limit a stolen session could guess it.
        await enforceRateLimit(ctx, 'accountDeletion', userId);
        const em = emFor(ctx);
        const row = await queryOne<{ password: string; is_active: boolean }>(
          em,
          'select password, is_active from users where id = ?',
          [userId],
        );
        const check = await verifyPassword(
          row?.password ?? '',
          request.body.password,
          ctx.config.password,
          ctx.kdf,
        );
        if (row === null || !row.is_active) {
          await ctx.sessions.revokeToken(auth.token);
          clearSessionCookies(request, reply, ctx.config);
          throw ProblemError.unauthenticated();
        }
        if (!check.ok) throw new ProblemError('wrong-password');
        const deleteAfter = await deactivateForDeletion(em, userId, ctx.config.account.deletionGraceSeconds);
        // Every session ends now, this one included; the purge job, a little later, ends any that a sign-in
        // racing this request created after it.
        await ctx.sessions.revokeAll(userId);
        clearSessionCookies(request, reply, ctx.config);
        try {
          await enqueueWithin(
            ctx.jobs.enqueue('purge-user-sessions', { userId }, { delay: PURGE_DELAY_MS }),
            ctx.config.jobs.enqueueTimeoutMs,
          );
        } catch (error) {
          request.log.warn(
            { err: error },
            'could not enqueue purge-user-sessions; every session was ended already',
          );
        }
        request.log.info({ deleteAfter }, 'account deactivated; deletion scheduled');
        return reply.code(202).send({ status: 'scheduled' as const, deleteAfter });
      },
    );
  };
}
