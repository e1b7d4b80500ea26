import { SocialAccount, User } from '@org/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type AppContext, emFor } from '../context.js';
import { authOf, requireSession } from '../http/authenticate.js';
import { ProblemError } from '../http/ProblemError.js';
import { ProblemSchema } from '../http/problemSchema.js';
import { isUsablePasswordHash } from '../passwords/verifyPassword.js';
import { queryOne, toIsoString } from '../sql.js';
import { pgJsonObject } from '../validation/pgJsonObject.js';
import { pgText } from '../validation/pgText.js';

const Provider = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,29}$/, 'a lowercase provider name of up to 30 characters');
const ProviderUid = pgText().min(1).max(191);

const SocialAccountSchema = z
  .object({ provider: z.string(), uid: z.string(), linkedAt: z.string(), lastLogin: z.string().nullable() })
  .meta({ id: 'SocialAccount' });

interface SocialRow {
  provider: string;
  uid: string;
  date_joined: Date | string;
  last_login: Date | string | null;
}

function toSocialAccount(row: SocialRow) {
  return {
    provider: row.provider,
    uid: row.uid,
    linkedAt: toIsoString(row.date_joined),
    lastLogin: row.last_login === null ? null : toIsoString(row.last_login),
  };
}

const guarded = { 401: ProblemSchema, 503: ProblemSchema };

/** Linking identity-provider accounts (as a provider callback delivers them) to the signed-in user. */
export function socialRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.addHook('onRequest', requireSession(ctx));
    app.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, security: [{ session: [] }] };
    });

    app.get(
      '/me/social-accounts',
      {
        schema: {
          tags: ['social'],
          summary: 'Linked social accounts',
          response: { 200: z.object({ accounts: z.array(SocialAccountSchema) }), ...guarded },
        },
      },
      async (request) => {
        const rows = await emFor(ctx).execute<SocialRow[]>(
          'select provider, uid, date_joined, last_login from social_accounts where user_id = ? order by date_joined',
          [authOf(request).session.userId],
          'all',
        );
        return { accounts: rows.map(toSocialAccount) };
      },
    );

    app.post(
      '/me/social-accounts',
      {
        schema: {
          tags: ['social'],
          summary: 'Link a social account (provider + uid from the provider callback)',
          body: z.strictObject({
            provider: Provider,
            uid: ProviderUid,
            extraData: pgJsonObject().default({}),
          }),
          response: {
            201: SocialAccountSchema,
            200: SocialAccountSchema,
            400: ProblemSchema,
            409: ProblemSchema,
            ...guarded,
          },
        },
      },
      async (request, reply) => {
        const userId = authOf(request).session.userId;
        const { provider, uid, extraData } = request.body;
        const em = emFor(ctx);
        const existing = await queryOne<SocialRow & { user_id: string }>(
          em,
          'select user_id, provider, uid, date_joined, last_login from social_accounts where provider = ? and uid = ?',
          [provider, uid],
        );
        if (existing) {
          if (existing.user_id !== userId) throw new ProblemError('social-account-taken');
          return reply.code(200).send(toSocialAccount(existing));
        }
        const account = em.create(SocialAccount, {
          user: em.getReference(User, userId),
          provider,
          uid,
          extraData,
        });
        try {
          await em.flush();
        } catch (error) {
          if ((error as Error).name === 'UniqueConstraintViolationException')
            throw new ProblemError('social-account-taken');
          throw error;
        }
        return reply.code(201).send(
          toSocialAccount({
            provider,
            uid,
            date_joined: account.dateJoined,
            last_login: account.lastLogin ?? null,
          }),
        );
      },
    );

    app.delete(
      '/me/social-accounts/:provider/:uid',
      {
        schema: {
          tags: ['social'],
          summary: 'Unlink a social account; refused when it is the last way to sign in',
          params: z.object({ provider: z.string().max(64), uid: z.string().max(255) }),
          response: { 204: z.null(), 404: ProblemSchema, 409: ProblemSchema, ...guarded },
        },
      },
      async (request, reply) => {
        const userId = authOf(request).session.userId;
        const { provider, uid } = request.params;
        await emFor(ctx).transactional(async (tx) => {
          // The row lock serialises concurrent unlinks, so two of them cannot each remove "the other" account.
          const user = await queryOne<{ password: string }>(
            tx,
            'select password from users where id = ? for update',
            [userId],
          );
          const accounts = await tx.execute<{ provider: string; uid: string }[]>(
            'select provider, uid from social_accounts where user_id = ?',
            [userId],
            'all',
          );
          if (!accounts.some((a) => a.provider === provider && a.uid === uid)) throw ProblemError.notFound();
          const otherWays = accounts.length - 1 + (isUsablePasswordHash(user?.password ?? '') ? 1 : 0);
          if (otherWays < 1) throw new ProblemError('last-login-method');
          await tx.execute(
            'delete from social_accounts where user_id = ? and provider = ? and uid = ?',
            [userId, provider, uid],
            'run',
          );
        });
        return reply.code(204).send(null);
      },
    );
  };
}
