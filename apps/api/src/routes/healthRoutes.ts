import type { RedisClient } from '@org/sessions';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Cluster } from 'ioredis';
import { z } from 'zod';
import { type AppContext, emFor } from '../context.js';
import { sendProblem } from '../http/sendProblem.js';
import { schemaStatus } from '../schemaStatus.js';

const CHECK_TIMEOUT_MS = 1000;

type CheckResult = 'ok' | 'degraded' | 'down' | 'not migrated';

/** `promise`, or a rejection once it has not settled within 1 s. */
async function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `run` resolves to a verdict (`ok` if it returns nothing); a failure or no answer within 1 s is `down`. */
async function check(run: () => Promise<CheckResult | undefined>): Promise<CheckResult> {
  try {
    return (await withTimeout(run())) ?? 'ok';
  } catch {
    return 'down';
  }
}

const HINTS: Partial<Record<CheckResult, string>> = { 'not migrated': 'not migrated (run pnpm migrate)' };

/**
 * `PING` to every master that holds slots. A cluster client sends a keyless command to a node of its choice
 * and drops a node from its pool once its connection is lost, so neither one `PING` nor its pool tells that a
 * master is gone: the slot map a live node answers (`CLUSTER SLOTS`) still names it. Some masters down is
 * `degraded`: the users whose keys live on the others are served, and every api instance sees the same cluster,
 * so taking this one out of rotation would help no one.
 */
async function checkRedis(redis: RedisClient): Promise<CheckResult> {
  const ping = (node: RedisClient) =>
    check(async () => {
      await node.ping();
      return 'ok';
    });
  if (!(redis instanceof Cluster)) return ping(redis);
  const slots = await withTimeout(redis.cluster('SLOTS')).catch(() => undefined);
  if (slots === undefined) return 'down';
  const pool = new Map(
    redis.nodes('master').map((node) => [`${node.options.host}:${node.options.port}`, node]),
  );
  // Each slot range: start, end, its master, then its replicas.
  const owners = [
    ...new Set(slots.flatMap(([, , master]) => (master === undefined ? [] : [`${master[0]}:${master[1]}`]))),
  ];
  const results = await Promise.all(
    owners.map((owner) => {
      const node = pool.get(owner);
      return node === undefined ? 'down' : ping(node);
    }),
  );
  const down = results.filter((result) => result !== 'ok').length;
  if (owners.length === 0) return 'down';
  if (down === 0) return 'ok';
  return down < owners.length ? 'degraded' : 'down';
}

/**
 * Liveness (the process answers) and readiness: PostgreSQL answers and holds the migrated schema (an api on an
 * unmigrated database would answer every route with an error), Redis answers (on a cluster: some master does).
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
          summary:
            'Readiness: PostgreSQL reachable and migrated, Redis reachable (degraded: some cluster masters not)',
          response: {
            200: z.object({
              status: z.literal('ready'),
              checks: z.object({ postgres: z.literal('ok'), redis: z.enum(['ok', 'degraded']) }),
            }),
          },
        },
      },
      async (request, reply) => {
        const [postgres, redis] = await Promise.all([
          check(async () => ((await schemaStatus(emFor(ctx))) === 'migrated' ? 'ok' : 'not migrated')),
          checkRedis(ctx.redis),
        ]);
        if (postgres === 'ok' && (redis === 'ok' || redis === 'degraded')) {
          return { status: 'ready' as const, checks: { postgres, redis } };
        }
        return sendProblem(request, reply, 'service-unavailable', {
          detail: `postgres: ${HINTS[postgres] ?? postgres}, redis: ${HINTS[redis] ?? redis}`,
        });
      },
    );
  };
}
