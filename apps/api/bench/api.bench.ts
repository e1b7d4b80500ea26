/*
 * GET /users/{slug} vs the same lookup by primary key (a route registered here only), and a
 * session-authenticated GET /me, on one app in one run. The load comes from a separate process
 * (bench/loadGenerator.ts), as it would in production, not from the server's own event loop. Targets: slug >= 0.9x by-id, /me >= 0.8x by-id.
 * Usage: pnpm --filter @org/api bench [-- --duration 5 --rounds 3 --connections 32 --users 10000]
 */
import { randomUUID } from 'node:crypto';
import { parseArgvOrExit } from '@org/cli';
import { type UserId, UserIds } from '@org/db';
import { deleteKeysWithPrefix } from '@org/sessions/testing';
import { z } from 'zod';
import { buildApp } from '../src/app.js';
import { emFor } from '../src/context.js';
import { ProblemError } from '../src/http/ProblemError.js';
import { createApiRedis } from '../src/redisClient.js';
import { findPublicProfileById } from '../src/users/userQueries.js';
import { PublicProfileSchema } from '../src/users/userSchemas.js';
import { benchConfig, median, openMigratedDatabase, runLoad, signIn } from './benchSupport.js';

const values = parseArgvOrExit({
  name: 'api bench',
  usage:
    'usage: pnpm --filter @org/api bench [-- --duration 5 --rounds 3 --connections 32 --users 10000 --sessions 50]',
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    // Enough to saturate the server: at 10 the routes are latency-bound (the machine is idle between
    // requests), so the ratio counts round trips (/me makes two) instead of measuring capacity.
    connections: { type: 'string', default: '32' },
    users: { type: 'string', default: '10000' },
    sessions: { type: 'string', default: '50' },
  },
});
const duration = Number(values.duration);
const rounds = Number(values.rounds);
const connections = Number(values.connections);

const database = await openMigratedDatabase(Number(values.users));
const { orm } = database;
const redis = createApiRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const prefix = `bench-${randomUUID()}:`;
try {
  if (redis.status !== 'ready') await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
  console.error(`seeded ${values.users} legacy users and migrated them`);

  const app = await buildApp({
    orm,
    redis,
    jobs: { enqueue: async () => ({ id: 'bench', name: 'send-verification-email' }) },
    config: benchConfig(prefix),
  });
  // The peer: identical query and serialisation, addressed by primary key. Never served by the real api.
  app.get(
    '/bench/users-by-id/:id',
    {
      schema: {
        hide: true,
        params: z.object({ id: z.string().max(64) }),
        response: { 200: PublicProfileSchema },
      },
    },
    async (request) => {
      const { id } = request.params;
      const profile = UserIds.isId(id)
        ? await findPublicProfileById(emFor({ orm } as never), id as UserId)
        : null;
      if (profile === null) throw ProblemError.notFound();
      return profile;
    },
  );
  const address = await app.listen({ host: '127.0.0.1', port: 0 });

  const users = await orm.em
    .fork()
    .execute<{ id: string; slug: string; email: string }[]>(
      'select id, slug, email from users where is_active order by random() limit 1000',
      [],
      'all',
    );
  const cookies = await signIn(
    app,
    users.slice(0, Number(values.sessions)).map((user) => user.email),
  );

  const requests = {
    byId: users.map((u) => ({ path: `/bench/users-by-id/${u.id}` })),
    bySlug: users.map((u) => ({ path: `/users/${u.slug}` })),
    me: cookies.map((cookie) => ({ path: '/me', cookie })),
  };
  type Target = keyof typeof requests;

  const measure = (target: Target, seconds: number) =>
    runLoad(target, { url: address, connections, seconds, requests: requests[target] });

  for (const target of Object.keys(requests) as Target[]) await measure(target, 1);
  const results: Record<Target, { rps: number; p99: number }[]> = { byId: [], bySlug: [], me: [] };
  for (let round = 0; round < rounds; round += 1) {
    // Interleaved rounds, so drift in the shared machine's load hits every route alike, and the order rotates
    // each round, so no route always runs first (right after the previous round's last) or last.
    const targets = Object.keys(requests) as Target[];
    const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
    for (const target of order) results[target].push(await measure(target, duration));
    const rps = (target: Target) => results[target].at(-1)!.rps;
    console.error(
      `round ${round + 1}: by-id ${rps('byId').toFixed(0)}, slug ${rps('bySlug').toFixed(0)}, me ${rps('me').toFixed(0)} req/s` +
        ` (slug/by-id ${(rps('bySlug') / rps('byId')).toFixed(2)}, me/by-id ${(rps('me') / rps('byId')).toFixed(2)})`,
    );
  }
  const summary = Object.fromEntries(
    (Object.keys(results) as Target[]).map((target) => [
      target,
      { rps: median(results[target].map((r) => r.rps)), p99: median(results[target].map((r) => r.p99)) },
    ]),
  ) as Record<Target, { rps: number; p99: number }>;

  const label = {
    byId: 'GET /bench/users-by-id/{id} (peer)',
    bySlug: 'GET /users/{slug}',
    me: 'GET /me (session)',
  };
  console.log(
    `users=${values.users} connections=${connections} duration=${duration}s rounds=${rounds} (median)`,
  );
  for (const target of Object.keys(summary) as Target[]) {
    console.log(
      `${label[target].padEnd(38)} ${summary[target].rps.toFixed(0).padStart(7)} req/s   p99 ${summary[target].p99} ms`,
    );
  }
  const slugRatio = summary.bySlug.rps / summary.byId.rps;
  const meRatio = summary.me.rps / summary.byId.rps;
  console.log(
    `slug / by-id = ${slugRatio.toFixed(2)} (target >= 0.90) ${slugRatio >= 0.9 ? 'PASS' : 'FAIL'}`,
  );
  console.log(`me   / by-id = ${meRatio.toFixed(2)} (target >= 0.80) ${meRatio >= 0.8 ? 'PASS' : 'FAIL'}`);
  if (slugRatio < 0.9 || meRatio < 0.8) process.exitCode = 1;
  await app.close();
} finally {
  await deleteKeysWithPrefix(redis, prefix).catch(() => {});
  redis.disconnect();
  await database.close();
}
