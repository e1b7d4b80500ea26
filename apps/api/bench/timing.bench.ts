/*
 * Response times of the branches an outsider must not be able to tell apart (issue 13, item 4): login with an
 * unknown email, a wrong or right password against a current scrypt hash, a legacy Django PBKDF2 hash, an
 * unusable hash and a deactivated account; password reset and verification resend for known and unknown
 * addresses. Production scrypt parameters, a real listening server, PostgreSQL, Redis and BullMQ.
 * Every round runs each branch once, in a fresh random order; the medians and their ratio to the unknown-email
 * branch of the same route are printed. Nothing is asserted: this is a measurement, not a test.
 * Usage: pnpm --filter @org/api bench:timing [-- --rounds 30 --legacy-iterations 10000]
 */
import { randomUUID } from 'node:crypto';
import { parseArgvOrExit } from '@org/cli';
import { initOrm, runMigrations, UserIds } from '@org/db';
import { createTestDatabase, legacyPasswordHash } from '@org/db/testing';
import { createJobProducer } from '@org/jobs';
import { deleteKeysWithPrefix } from '@org/sessions/testing';
import { Redis } from 'ioredis';
import { buildApp } from '../src/app.js';
import { configFromEnv } from '../src/config.js';
import { parseEnv } from '../src/env.js';
import { hashPassword } from '../src/passwords/hashPassword.js';
import { createApiRedis } from '../src/redisClient.js';

const values = parseArgvOrExit({
  name: 'timing bench',
  usage: 'usage: pnpm --filter @org/api bench:timing [-- --rounds N --legacy-iterations N]',
  options: {
    rounds: { type: 'string', default: '30' },
    // The seeded legacy data (and the demo) use 10 000 iterations; Django 3.2 wrote 260 000.
    'legacy-iterations': { type: 'string', default: '10000' },
  },
});
const rounds = Number(values.rounds);
const legacyIterations = Number(values['legacy-iterations']);
if (!Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(legacyIterations) || legacyIterations < 1) {
  console.error(
    'timing bench: --rounds and --legacy-iterations must be positive integers\n\nusage: pnpm --filter @org/api bench:timing [-- --rounds N --legacy-iterations N]',
  );
  process.exit(2);
}

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PASSWORD = 'correct horse battery';
const created = await createTestDatabase({ state: 'empty' });
const orm = await initOrm({ clientUrl: created.url });
const redis = createApiRedis(REDIS_URL);
const queueRedis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
const prefix = `bench-timing-${randomUUID()}:`;
const queuePrefix = `bench-timing-bull-${randomUUID()}`;
const jobs = createJobProducer({ connection: queueRedis, prefix: queuePrefix });
try {
  await runMigrations(orm, {});
  if (redis.status !== 'ready') await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
  const config = configFromEnv(parseEnv({ REDIS_KEY_PREFIX: prefix }));
  // No branch may be cut short by a limit: every bucket is opened wide, the resend cooldown included.
  for (const bucket of Object.keys(config.rateLimits) as (keyof typeof config.rateLimits)[]) {
    config.rateLimits[bucket] = { limit: 1_000_000, windowSeconds: 1 };
  }
  const app = await buildApp({ orm, redis, jobs, config });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });

  const em = orm.em.fork();
  const legacyHash = legacyPasswordHash(PASSWORD, 'benchsalt012', legacyIterations);
  async function insertUser(email: string, password: string, options: { active?: boolean } = {}) {
    await em.execute(
      `insert into users (id, slug, email, password, first_name, last_name, is_active, is_staff, email_verified, date_joined)
       values (?, ?, ?, ?, 'Bench', 'User', ?, false, false, now())`,
      [UserIds.newId(), UserIds.newSlug(), email, password, options.active ?? true],
      'run',
    );
  }
  const scryptHash = await hashPassword(PASSWORD, config.password);
  await insertUser('scrypt@bench.example', scryptHash);
  await insertUser('legacy@bench.example', legacyHash);
  await insertUser('legacy-ok@bench.example', legacyHash);
  await insertUser('unusable@bench.example', '!unusable-password-marker');
  await insertUser('inactive@bench.example', scryptHash, { active: false });

  const post = async (path: string, body: unknown): Promise<number> => {
    const start = performance.now();
    const response = await fetch(new URL(path, address), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await response.arrayBuffer();
    const elapsed = performance.now() - start;
    const expected = path === '/auth/login' ? [200, 401] : [202];
    if (!expected.includes(response.status)) throw new Error(`${path}: unexpected ${response.status}`);
    return elapsed;
  };
  const login = (email: string, password = PASSWORD) => post('/auth/login', { email, password });
  let unknown = 0;
  const unknownEmail = () => `nobody-${++unknown}@bench.example`;

  interface Branch {
    route: string;
    name: string;
    /** Untimed preparation, e.g. putting back the legacy hash that the previous successful login replaced. */
    before?: () => Promise<void>;
    run: () => Promise<number>;
  }
  const branches: Branch[] = [
    { route: 'login', name: 'unknown email', run: () => login(unknownEmail()) },
    {
      route: 'login',
      name: 'scrypt, wrong password',
      run: () => login('scrypt@bench.example', 'wrong one!'),
    },
    { route: 'login', name: 'scrypt, right password', run: () => login('scrypt@bench.example') },
    {
      route: 'login',
      name: 'legacy, wrong password',
      run: () => login('legacy@bench.example', 'wrong one!'),
    },
    {
      route: 'login',
      name: 'legacy, right password (upgrade)',
      before: async () => {
        await em.execute('update users set password = ? where email = ?', [
          legacyHash,
          'legacy-ok@bench.example',
        ]);
      },
      run: () => login('legacy-ok@bench.example'),
    },
    { route: 'login', name: 'unusable hash', run: () => login('unusable@bench.example') },
    { route: 'login', name: 'deactivated', run: () => login('inactive@bench.example') },
    {
      route: 'password-reset',
      name: 'unknown email',
      run: () => post('/auth/password-reset', { email: unknownEmail() }),
    },
    {
      route: 'password-reset',
      name: 'known email',
      run: () => post('/auth/password-reset', { email: 'scrypt@bench.example' }),
    },
    {
      route: 'verify-email/resend',
      name: 'unknown email',
      run: () => post('/auth/verify-email/resend', { email: unknownEmail() }),
    },
    {
      route: 'verify-email/resend',
      name: 'known email',
      run: () => post('/auth/verify-email/resend', { email: 'scrypt@bench.example' }),
    },
  ];
  // Work a branch leaves behind (the lookup and email of a reset, started after its answer) must not land in
  // the next sample.
  const settle = () => app.background.idle();

  for (const branch of branches) {
    await branch.before?.();
    await branch.run();
    await settle();
  }
  const samples = new Map<Branch, number[]>(branches.map((branch) => [branch, []]));
  for (let round = 0; round < rounds; round += 1) {
    const order = [...branches].sort(() => Math.random() - 0.5);
    for (const branch of order) {
      await branch.before?.();
      samples.get(branch)!.push(await branch.run());
      await settle();
    }
  }

  const median = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  console.log(
    `rounds=${rounds} scrypt ln=${config.password.logN},r=${config.password.r},p=${config.password.p} legacy hash iterations=${legacyIterations} LEGACY_PBKDF2_ITERATIONS=${config.legacyPbkdf2Iterations}`,
  );
  console.log('route                 branch                              median ms   / unknown email');
  for (const route of [...new Set(branches.map((branch) => branch.route))]) {
    const ofRoute = branches.filter((branch) => branch.route === route);
    const reference = median(samples.get(ofRoute[0]!)!);
    for (const branch of ofRoute) {
      const value = median(samples.get(branch)!);
      console.log(
        `${route.padEnd(21)} ${branch.name.padEnd(35)} ${value.toFixed(1).padStart(9)}   ${(value / reference).toFixed(2)}`,
      );
    }
  }
  await app.close();
} finally {
  await jobs.queue.obliterate({ force: true }).catch(() => {});
  await jobs.close();
  await deleteKeysWithPrefix(queueRedis, queuePrefix).catch(() => {});
  await deleteKeysWithPrefix(redis, prefix).catch(() => {});
  queueRedis.disconnect();
  redis.disconnect();
  await orm.close(true);
  await created.drop();
}
