import { UserIds } from '@org/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type AppContext, emFor } from '../context.js';
import { ProblemError } from '../http/ProblemError.js';
import { ProblemSchema } from '../http/problemSchema.js';
import { findPublicProfileBySlug } from '../users/userQueries.js';
import { PublicProfileSchema } from '../users/userSchemas.js';

/** Public profiles, addressed by slug only. */
export function userRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/users/:slug',
      {
        schema: {
          tags: ['users'],
          summary: "An active user's public profile",
          // Any string is accepted here: a malformed slug must get the same 404 as an unknown one.
          params: z.object({ slug: z.string().max(256) }),
          response: { 200: PublicProfileSchema, 404: ProblemSchema },
        },
      },
      async (request) => {
        const { slug } = request.params;
        const profile = UserIds.isSlug(slug) ? await findPublicProfileBySlug(emFor(ctx), slug) : null;
        if (profile === null) throw ProblemError.notFound();
        return profile;
      },
    );
  };
}
