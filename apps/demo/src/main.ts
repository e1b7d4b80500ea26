/**
 * `pnpm demo`: a legacy system with integer keys is seeded, cut over to UUIDv6 keys by the same task a team runs
 * (`pnpm migrate`), and then used through the new api and worker. Needs no configuration: PostgreSQL is embedded
 * unless DATABASE_URL is set; Redis comes from REDIS_URL (default local), under a prefix of its own.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { initOrm } from '@org/db';
import { uuidV6Date, uuidV6Ticks } from '@org/ids';
import { readMailbox } from '@org/worker';
import { Redis } from 'ioredis';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embeddedPostgres.js';
import { freePort } from './freePort.js';
import { createLegacySystem, DEMO_USERS } from './legacySystem.js';
import { repoRoot, type Service, startService, waitUntilReady } from './services.js';

const { values } = parseArgs({
  // `pnpm demo -- --users N` forwards a literal `--`.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { users: { type: 'string', default: '10000' } },
});
const users = Number(values.users);
if (!Number.isInteger(users) || users < DEMO_USERS.length || users > 1_000_000) {
  console.error(`--users must be an integer between ${DEMO_USERS.length} and 1000000, got ${values.users}`);
  process.exit(2);
}

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
const heading = (text: string) => console.log(`\n\x1b[1m== ${text}\x1b[0m  (${elapsed()})`);

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const runId = randomBytes(4).toString('hex');
const keyPrefix = `demo-${runId}:`;
const queuePrefix = `demo-${runId}-bull`;

const cleanups: Array<() => Promise<unknown>> = [];
let cleaning: Promise<void> | undefined;
const cleanUp = () => {
  cleaning ??= (async () => {
    heading('Stopping');
    for (const cleanup of cleanups) {
      await cleanup().catch((error: unknown) => console.error(`cleanup failed: ${String(error)}`));
    }
  })();
  return cleaning;
};
// The api and worker run in process groups of their own, so Ctrl-C must stop them here.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the demo`);
    void cleanUp().then(() => process.exit(130));
  });
}
let exitCode = 0;
try {
  const redis = await connectRedis(redisUrl);
  cleanups.push(async () => {
    await removeKeys(redis, `${keyPrefix}*`);
    await removeKeys(redis, `${queuePrefix}:*`);
    redis.disconnect();
  });

  let databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl === undefined) {
    const embedded: EmbeddedPostgres = await startEmbeddedPostgres();
    cleanups.push(() => embedded.stop());
    databaseUrl = embedded.url;
    console.log(`PostgreSQL: embedded (PGlite) at ${databaseUrl}; set DATABASE_URL to use a server instead`);
  } else {
    console.log(`PostgreSQL: ${new URL(databaseUrl).host} (DATABASE_URL)`);
  }
  console.log(
    `Redis: ${new URL(redisUrl).host}, keys under "${keyPrefix}" and queues under "${queuePrefix}"`,
  );
  const orm = await initOrm({ clientUrl: databaseUrl });
  cleanups.unshift(() => orm.close());
  const queryOne = async <T extends object>(sql: string, params: unknown[]): Promise<T> => {
    const rows = await orm.em.getConnection().execute<T[]>(sql, params);
    if (rows.length !== 1) throw new Error(`expected one row for ${sql}, got ${rows.length}`);
    return rows[0]!;
  };

  heading(`1. The legacy system: integer keys, ${users.toLocaleString('en')} users`);
  const legacy = await createLegacySystem({ databaseUrl, redis, keyPrefix, queuePrefix, users });
  console.log(
    `seeded ${legacy.users} users, ${legacy.profiles} profiles, ${legacy.tokens} tokens, ` +
      `${legacy.socialAccounts} social accounts; ${legacy.redisKeys} legacy Redis keys; ${legacy.queuedJobs} queued legacy jobs`,
  );
  const demoUser = DEMO_USERS[0];
  const before = await queryOne<{ id: number; email: string; date_joined: Date }>(
    'SELECT id, email, date_joined FROM users WHERE email = ?',
    [demoUser.email],
  );
  console.log(
    `before: users.id = ${before.id} (integer), ${before.email}, joined ${iso(before.date_joined)}`,
  );

  heading('2. The cutover: pnpm migrate');
  const cutoverEnv = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: keyPrefix,
    LEGACY_KEY_PREFIX: keyPrefix,
    QUEUE_PREFIX: queuePrefix,
  };
  const migrateExit = await run('pnpm', ['migrate'], cutoverEnv);
  if (migrateExit !== 0) throw new Error(`pnpm migrate exited with ${migrateExit}`);

  heading('3. One user, before and after');
  const after = await queryOne<{ legacy_id: number; id: string; slug: string; date_joined: Date }>(
    `SELECT l.legacy_id, u.id, u.slug, u.date_joined FROM users u
     JOIN legacy_user_ids l ON l.user_id = u.id WHERE u.email = ?`,
    [demoUser.email],
  );
  const ticks = uuidV6Ticks(after.id);
  console.log(`legacy id   ${after.legacy_id}`);
  console.log(`UUIDv6      ${after.id}   (internal: never leaves the api)`);
  console.log(`slug        ${after.slug}   (public: /users/${after.slug})`);
  console.log(
    `instant     ${uuidV6Date(after.id).toISOString()} decoded from the id (${ticks} ticks of 100 ns since 1582)`,
  );
  console.log(`date_joined ${iso(after.date_joined)} stored in the row`);

  heading('4. The new api and worker');
  const port = await freePort();
  const mailDir = await mkdtemp(join(tmpdir(), 'demo-mail-'));
  const exportDir = await mkdtemp(join(tmpdir(), 'demo-exports-'));
  cleanups.push(() => rm(mailDir, { recursive: true, force: true }));
  cleanups.push(() => rm(exportDir, { recursive: true, force: true }));
  const serviceEnv = {
    ...cutoverEnv,
    PORT: String(port),
    COOKIE_SECURE: 'false',
    LOG_LEVEL: 'warn',
    MAIL_TRANSPORT: 'file',
    MAIL_DIR: mailDir,
    EXPORT_DIR: exportDir,
    // The link opens the web app, which POSTs the token to the api (the demo does that step itself below).
    VERIFY_EMAIL_URL: 'https://app.example.test/verify-email?token={token}',
  };
  const api = startService('api', 'apps/api/src/server.ts', serviceEnv);
  const worker = startService('worker', 'apps/worker/src/main.ts', serviceEnv);
  const services: Service[] = [api, worker];
  cleanups.unshift(async () => {
    for (const service of services) {
      const code = await service.stop();
      console.log(`${service.name} stopped (exit code ${code})`);
    }
  });
  const base = `http://127.0.0.1:${port}`;
  await waitUntilReady(api, `${base}/ready`);
  console.log(`api listening on ${base}; worker consuming the queue`);

  const login = await http(base, 'POST', '/auth/login', {
    email: demoUser.email,
    password: demoUser.password,
  });
  console.log(`POST /auth/login (${demoUser.email}, legacy password)      -> ${login.status}`);
  const cookie = login.cookie;
  const me = await http(base, 'GET', '/me', undefined, cookie);
  console.log(
    `GET  /me                                                 -> ${me.status} ${JSON.stringify(me.body)}`,
  );
  const other = await queryOne<{ slug: string }>('SELECT slug FROM users WHERE email = ?', [
    DEMO_USERS[1].email,
  ]);
  const profile = await http(base, 'GET', `/users/${other.slug}`);
  console.log(
    `GET  /users/${other.slug}                            -> ${profile.status} ${JSON.stringify(profile.body)}`,
  );
  const old = await http(base, 'GET', `/users/${before.id}`);
  console.log(
    `GET  /users/${before.id} (an old integer URL)                    -> ${old.status} ${old.body.type ?? ''}`,
  );

  const email = `newcomer-${runId}@demo.test`;
  const register = await http(base, 'POST', '/auth/register', {
    email,
    password: 'a-brand-new-passphrase',
    firstName: 'New',
    lastName: 'Comer',
  });
  console.log(`POST /auth/register (${email}) -> ${register.status} ${JSON.stringify(register.body)}`);
  const mail = await waitForMail(mailDir, 30_000);
  console.log('the worker delivered the verification email:');
  console.log(`  | To: ${mail.to}\n  | Subject: ${mail.subject}\n  |`);
  console.log(
    mail.text
      .trim()
      .split('\n')
      .map((line) => `  | ${line}`)
      .join('\n'),
  );
  const token = new URL(/https:\S+/.exec(mail.text)?.[0] ?? 'https://invalid').searchParams.get('token');
  if (!token) throw new Error('the verification email carries no token link');
  const verified = await http(base, 'POST', '/auth/verify-email', { token });
  console.log(
    `POST /auth/verify-email (the token from the link)       -> ${verified.status} ${JSON.stringify(verified.body)}`,
  );
  const replay = await http(base, 'POST', '/auth/verify-email', { token });
  console.log(
    `POST /auth/verify-email (the same token again)          -> ${replay.status} ${replay.body.type ?? ''}`,
  );
} catch (error) {
  exitCode = 1;
  console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await cleanUp();
  console.log(exitCode === 0 ? `done in ${elapsed()}; nothing left running` : `failed after ${elapsed()}`);
}
process.exit(exitCode);

async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (error) {
    redis.disconnect();
    throw new Error(
      `Redis is not reachable at ${url} (${error instanceof Error ? error.message : String(error)}).\n` +
        'Start one with: redis-server --daemonize yes --port 6379 --save "" --appendonly no\n' +
        'or point REDIS_URL at a running one.',
    );
  }
}

async function removeKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}

function iso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
}

function run(command: string, args: string[], env: Record<string, string>): Promise<number | null> {
  const child = spawn(command, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
}

async function http(base: string, method: string, path: string, body?: unknown, cookie?: string) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(cookie === undefined ? {} : { cookie }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const setCookie = response.headers.getSetCookie()[0];
  return {
    status: response.status,
    body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>,
    cookie: setCookie?.split(';')[0],
  };
}

async function waitForMail(dir: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [first] = await readMailbox(dir);
    if (first !== undefined) return first;
    await sleep(200);
  }
  throw new Error(`no email arrived in ${dir} within ${timeoutMs} ms`);
}
