import { UserExport } from '@org/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type AppContext, emFor } from '../context.js';
import { authOf, requireSession } from '../http/authenticate.js';
import { enforceRateLimit } from '../http/enforceRateLimit.js';
import { ProblemError } from '../http/ProblemError.js';
import { ProblemSchema } from '../http/problemSchema.js';
import { createExport, findOwnExport } from '../users/accountExports.js';
import { enqueueWithin } from './enqueueWithin.js';

const ExportAcceptedSchema = z
  .object({
    slug: z.string(),
    status: z.literal('pending'),
    expiresAt: z.string(),
    /** Where to poll: `GET /me/exports/{slug}`. */
    href: z.string(),
  })
  .meta({ id: 'ExportAccepted' });

const ExportSchema = z
  .discriminatedUnion('status', [
    z.object({
      slug: z.string(),
      status: z.literal('pending'),
      createdAt: z.string(),
      expiresAt: z.string(),
    }),
    z.object({
      slug: z.string(),
      status: z.literal('ready'),
      createdAt: z.string(),
      completedAt: z.string(),
      expiresAt: z.string(),
      archive: z
        .record(z.string(), z.unknown())
        .describe('format user-export/2: account, profile, socialAccounts, sessions (public fields only)'),
    }),
  ])
  .meta({ id: 'Export' });

const guarded = { 401: ProblemSchema, 503: ProblemSchema };

/** Account export (issue 15): request an archive of one's data, then fetch it by its slug until it expires. */
export function exportRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.addHook('onRequest', requireSession(ctx));
    app.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, security: [{ session: [] }] };
    });

    app.post(
      '/me/export',
      {
        schema: {
          tags: ['me'],
          summary: 'Request an archive of my data; poll the answered href until it is ready',
          response: { 202: ExportAcceptedSchema, 429: ProblemSchema, ...guarded },
        },
      },
      async (request, reply) => {
        const userId = authOf(request).session.userId;
        await enforceRateLimit(ctx, 'export', userId);
        const em = emFor(ctx);
        const created = await createExport(em, userId, ctx.config.account.exportTtlSeconds);
        try {
          await enqueueWithin(
            ctx.jobs.enqueue('export-user-data', { userId, exportId: created.id }),
            ctx.config.jobs.enqueueTimeoutMs,
          );
        } catch (error) {
          // Not queued (or not confirmed in time): nothing would ever fill the export, so it goes.
          await em.nativeDelete(UserExport, { id: created.id });
          throw new ProblemError('service-unavailable', { cause: error });
        }
        request.log.info({ exportId: created.id }, 'export requested');
        return reply.code(202).send({
          slug: created.slug,
          status: 'pending' as const,
          expiresAt: created.expiresAt.toISOString(),
          href: `/me/exports/${created.slug}`,
        });
      },
    );

    app.get(
      '/me/exports/:slug',
      {
        schema: {
          tags: ['me'],
          summary: 'One of my exports: pending, or ready with its archive; 410 once expired',
          params: z.object({ slug: z.string().max(64) }),
          response: { 200: ExportSchema, 404: ProblemSchema, 410: ProblemSchema, ...guarded },
        },
      },
      async (request, reply) => {
        const found = await findOwnExport(emFor(ctx), authOf(request).session.userId, request.params.slug);
        if (found === null) throw ProblemError.notFound();
        if (found.expired) throw new ProblemError('export-expired');
        // Personal data: no cache may keep it.
        reply.header('cache-control', 'no-store');
        const { slug, createdAt, expiresAt } = found;
        if (found.status === 'ready' && found.archive !== null && found.completedAt !== null) {
          return {
            slug,
            status: 'ready' as const,
            createdAt,
            completedAt: found.completedAt,
            expiresAt,
            archive: found.archive,
          };
        }
        return { slug, status: 'pending' as const, createdAt, expiresAt };
      },
    );
  };
}
