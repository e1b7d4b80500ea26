import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type AppContext, emFor } from '../context.js';
import { sendProblem } from '../http/sendProblem.js';

const CHECK_TIMEOUT_MS = 1000;

async function check(run: () => Promise<unknown>): Promise<'ok' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([run(), timeout]);
    return 'ok';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

/** Liveness (the process answers) and readiness (PostgreSQL and Redis answer). */
export function healthRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/health',
      {
        schema: {
          tags: ['ops'],
          summary: 'Liveness',
          response: { 200: z.object({ status: z.literal('ok') }) },
        },
      },
      async () => ({ status: 'ok' as const }),
    );

    app.get(
      '/ready',
      {
        schema: {
          tags: ['ops'],
          summary: 'Readiness: PostgreSQL and Redis reachable',
          response: {
            200: z.object({
              status: z.literal('ready'),
              checks: z.object({ postgres: z.literal('ok'), redis: z.literal('ok') }),
            }),
          },
        },
      },
      async (request, reply) => {
        const [postgres, redis] = await Promise.all([
          check(() => emFor(ctx).execute('select 1', [], 'get')),
          check(() => ctx.redis.ping()),
        ]);
        if (postgres === 'ok' && redis === 'ok') {
          return { status: 'ready' as const, checks: { postgres, redis } };
        }
        return sendProblem(request, reply, 'service-unavailable', {
          detail: `postgres: ${postgres}, redis: ${redis}`,
        });
      },
    );
  };
}
