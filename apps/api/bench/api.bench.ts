/*
 * GET /users/{slug} vs the same lookup by primary key (a route registered here only), and a
 * session-authenticated GET /me, on one app in one run. The load comes from a separate process
 * (bench/loadGenerator.ts), as it would in production, not from the server's own event loop. Targets: slug >= 0.9x by-id, /me >= 0.8x by-id.
 * Usage: pnpm --filter @org/api bench [-- --duration 5 --rounds 3 --connections 32 --users 10000]
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { text } from 'node:stream/consumers';
import { fileURLToPath } from 'node:url';
import { parseArgvOrExit } from '@org/cli';
import { initOrm, runMigrations, type UserId, UserIds } from '@org/db';
import { createTestDatabase, SEED_PASSWORD, seedLegacyData } from '@org/db/testing';
import { deleteKeysWithPrefix } from '@org/sessions/testing';
import { z } from 'zod';
import { buildApp } from '../src/app.js';
import { configFromEnv, DEFAULT_RATE_LIMITS } from '../src/config.js';
import { emFor } from '../src/context.js';
import { parseEnv } from '../src/env.js';
import { ProblemError } from '../src/http/ProblemError.js';
import { createApiRedis } from '../src/redisClient.js';
import { findPublicProfileById } from '../src/users/userQueries.js';
import { PublicProfileSchema } from '../src/users/userSchemas.js';

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

const created = await createTestDatabase({ state: 'empty' });
const orm = await initOrm({ clientUrl: created.url });
const redis = createApiRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const prefix = `bench-${randomUUID()}:`;
try {
  await runMigrations(orm, { to: 'legacy_schema' });
  await seedLegacyData(created.url, { users: Number(values.users) });
  await runMigrations(orm, {});
  if (redis.status !== 'ready') await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
  console.error(`seeded ${values.users} legacy users and migrated them`);

  const app = await buildApp({
    orm,
    redis,
    jobs: { enqueue: async () => ({ id: 'bench', name: 'send-verification-email' }) },
    config: {
      // The production defaults, with room for the sign-ins below.
      ...configFromEnv(parseEnv({ REDIS_KEY_PREFIX: prefix })),
      session: { idleTtlSeconds: 3600, absoluteTtlSeconds: 86_400, cookieSecure: true },
      rateLimits: { ...DEFAULT_RATE_LIMITS, login: { limit: 10_000, windowSeconds: 60 } },
    },
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
  const tokens: string[] = [];
  for (const user of users.slice(0, Number(values.sessions))) {
    const res = await app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email: user.email, password: SEED_PASSWORD },
    });
    const cookie = res.cookies.find((c) => c.name === '__Host-sid');
    if (res.statusCode !== 200 || cookie === undefined)
      throw new Error(`bench login failed: ${res.statusCode} ${res.body}`);
    tokens.push(cookie.value);
  }

  const requests = {
    byId: users.map((u) => ({ path: `/bench/users-by-id/${u.id}` })),
    bySlug: users.map((u) => ({ path: `/users/${u.slug}` })),
    me: tokens.map((token) => ({ path: '/me', cookie: `__Host-sid=${token}` })),
  };
  type Target = keyof typeof requests;

  async function measure(target: Target, seconds: number) {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./loadGenerator.ts', import.meta.url))],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    child.stdin.end(
      JSON.stringify({ url: address, connections, duration: seconds, requests: requests[target] }),
    );
    const [output] = await Promise.all([text(child.stdout), once(child, 'exit')]);
    const result = JSON.parse(output) as { rps: number; p99: number; non2xx: number; errors: number };
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`${target}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return { rps: result.rps, p99: result.p99 };
  }

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
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
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
  await orm.close(true);
  await created.drop();
}
