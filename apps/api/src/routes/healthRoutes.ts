import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type AppContext, emFor } from '../context.js';
import { sendProblem } from '../http/sendProblem.js';
import { schemaStatus } from '../schemaStatus.js';

const CHECK_TIMEOUT_MS = 1000;

type CheckResult = 'ok' | 'down' | 'not migrated';

/** `run` resolves to a verdict (`ok` if it returns nothing); a failure or no answer within 1 s is `down`. */
async function check(run: () => Promise<CheckResult | undefined>): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS);
  });
  try {
    return (await Promise.race([run(), timeout])) ?? 'ok';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

const HINTS: Partial<Record<CheckResult, string>> = { 'not migrated': 'not migrated (run pnpm migrate)' };

/**
 * Liveness (the process answers) and readiness: PostgreSQL answers and holds the migrated schema (an api on an
 * unmigrated database would answer every route with an error), Redis answers.
 */
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
          summary: 'Readiness: PostgreSQL reachable and migrated, Redis reachable',
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
          check(async () => ((await schemaStatus(emFor(ctx))) === 'migrated' ? 'ok' : 'not migrated')),
          check(async () => {
            await ctx.redis.ping();
            return 'ok';
          }),
        ]);
        if (postgres === 'ok' && redis === 'ok') {
          return { status: 'ready' as const, checks: { postgres, redis } };
        }
        return sendProblem(request, reply, 'service-unavailable', {
          detail: `postgres: ${HINTS[postgres] ?? postgres}, redis: ${HINTS[redis] ?? redis}`,
        });
      },
    );
  };
}
