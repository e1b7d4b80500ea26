import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type CommandIo, createProgress, createStyle, freePort, runCommand } from '@org/cli';
import { initOrm } from '@org/db';
import { uuidV6Date, uuidV6Ticks } from '@org/ids';
import { connectRedis, parseClusterNodes } from '@org/sessions';
import { deleteKeysWithPrefix } from '@org/sessions/testing';
import { DEMO_COMMAND, usersFrom } from './demoCommand.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './embeddedPostgres.js';
import { createLegacySystem, DEMO_USERS } from './legacySystem.js';
import {
  runCommandOf,
  SERVICE_START_TIMEOUT_MS,
  type Service,
  startService,
  waitUntilReady,
} from './services.js';

/**
 * `pnpm demo` with its argv and io: returns the exit code (0 done, 1 a step failed, 2 usage).
 *
 * @example
 * process.exitCode = await runDemoCommand(process.argv.slice(2), processIo());
 */
export function runDemoCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  return runCommand(DEMO_COMMAND, argv, io, (values) => runDemo(usersFrom(values.users), io));
}

async function runDemo(users: number, io: CommandIo): Promise<number> {
  const print = (line: string) => io.stdout.write(`${line}\n`);
  /**
   * One request to the api and its answer (the answers line up in one column); any status but the one the demo
   * shows fails the demo, rather than carrying on past it.
   */
  const exchange = (request: string, response: { status: number }, shown: string, expected: number) => {
    print(`${request.padEnd(52)} -> ${response.status}${shown === '' ? '' : ` ${shown}`}`);
    if (response.status !== expected) {
      throw new Error(`${request.trim()} answered ${response.status}, where the demo expects ${expected}`);
    }
  };
  const style = createStyle(io.stdout, io.env);
  const progress = createProgress(io.stdout);
  const started = performance.now();
  const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;
  let stepStarted = started;
  let stepTitle: string | undefined;
  /** Each step's heading, and when the next one starts, how long the last one took on its own. */
  const heading = (title: string) => {
    if (stepTitle !== undefined) print(style.dim(`   (${stepTitle} took ${seconds(stepStarted)})`));
    print(`\n${style.bold(`== ${title}`)}`);
    stepTitle = title.split(' ')[0];
    stepStarted = performance.now();
  };

  const redisUrl = io.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const clusterNodes = parseClusterNodes(io.env.REDIS_CLUSTER_NODES);
  const runId = randomBytes(4).toString('hex');
  const keyPrefix = `demo-${runId}:`;
  // On a Redis Cluster a BullMQ prefix needs a hash tag (every key of a queue in one slot).
  const queuePrefix = clusterNodes.length > 0 ? `{demo-${runId}-bull}` : `demo-${runId}-bull`;

  const cleanups: Array<() => Promise<unknown>> = [];
  let cleaning: Promise<void> | undefined;
  const cleanUp = () => {
    cleaning ??= (async () => {
      heading('Stopping');
      for (const cleanup of cleanups) {
        await cleanup().catch((error: unknown) => io.stderr.write(`cleanup failed: ${String(error)}\n`));
      }
    })();
    return cleaning;
  };
  // The api and worker run in process groups of their own, so Ctrl-C must stop them here.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      io.stderr.write(`\n${signal}: stopping the demo\n`);
      void cleanUp().then(() => process.exit(130));
    });
  }
  let exitCode = 0;
  try {
    const redis = await connectRedis({ url: redisUrl, clusterNodes }, { connectionName: 'demo' });
    cleanups.push(async () => {
      await deleteKeysWithPrefix(redis, keyPrefix);
      await deleteKeysWithPrefix(redis, `${queuePrefix}:`);
      redis.disconnect();
    });

    let databaseUrl = io.env.DATABASE_URL || undefined;
    if (databaseUrl === undefined) {
      const embedded: EmbeddedPostgres = await startEmbeddedPostgres();
      cleanups.push(() => embedded.stop());
      databaseUrl = embedded.url;
      print(`PostgreSQL: embedded (PGlite) at ${databaseUrl}; set DATABASE_URL to use a server instead`);
    } else {
      print(`PostgreSQL: ${new URL(databaseUrl).host} (DATABASE_URL)`);
    }
    const redisWhere =
      clusterNodes.length > 0 ? `the Redis Cluster ${clusterNodes.join(',')}` : new URL(redisUrl).host;
    print(`Redis: ${redisWhere}, keys under "${keyPrefix}" and queues under "${queuePrefix}"`);
    const orm = await initOrm({ clientUrl: databaseUrl });
    cleanups.unshift(() => orm.close());
    const queryOne = async <T extends object>(sql: string, params: unknown[]): Promise<T> => {
      const rows = await orm.em.getConnection().execute<T[]>(sql, params);
      if (rows.length !== 1) throw new Error(`expected one row for ${sql}, got ${rows.length}`);
      return rows[0]!;
    };

    heading(`1. The legacy system: integer keys, ${users.toLocaleString('en-US')} users`);
    const legacy = await createLegacySystem({ databaseUrl, redis, keyPrefix, queuePrefix, users, progress });
    print(
      `seeded ${legacy.users} users, ${legacy.profiles} profiles, ${legacy.tokens} tokens, ` +
        `${legacy.socialAccounts} social accounts; ${legacy.redisKeys} legacy Redis keys; ${legacy.queuedJobs} queued legacy jobs`,
    );
    const demoUser = DEMO_USERS[0];
    const before = await queryOne<{ id: number; email: string; date_joined: Date }>(
      'SELECT id, email, date_joined FROM users WHERE email = ?',
      [demoUser.email],
    );
    print(`before: users.id = ${before.id} (integer), ${before.email}, joined ${iso(before.date_joined)}`);

    heading('2. The cutover: pnpm migrate');
    const cutoverEnv = {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      REDIS_CLUSTER_NODES: clusterNodes.join(','),
      REDIS_KEY_PREFIX: keyPrefix,
      LEGACY_KEY_PREFIX: keyPrefix,
      QUEUE_PREFIX: queuePrefix,
    };
    const migrateExit = await runCommandOf('tooling/migrate/src/main.ts', [], cutoverEnv);
    if (migrateExit !== 0) throw new Error(`pnpm migrate exited with ${migrateExit}`);

    heading('3. One user, before and after');
    const after = await queryOne<{ legacy_id: number; id: string; slug: string; date_joined: Date }>(
      `SELECT l.legacy_id, u.id, u.slug, u.date_joined FROM users u
       JOIN legacy_user_ids l ON l.user_id = u.id WHERE u.email = ?`,
      [demoUser.email],
    );
    print(`legacy id   ${after.legacy_id}`);
    print(`UUIDv6      ${after.id}   (internal: never leaves the api)`);
    print(`slug        ${after.slug}   (public: /users/${after.slug})`);
    print(
      `instant     ${uuidV6Date(after.id).toISOString()} decoded from the id (${uuidV6Ticks(after.id)} ticks of 100 ns since 1582)`,
    );
    print(`date_joined ${iso(after.date_joined)} stored in the row`);

    heading('4. The new api and worker');
    const port = await freePort();
    const mailDir = await mkdtemp(join(tmpdir(), 'demo-mail-'));
    cleanups.push(() => rm(mailDir, { recursive: true, force: true }));
    const base = `http://127.0.0.1:${port}`;
    const serviceEnv = {
      ...cutoverEnv,
      PORT: String(port),
      COOKIE_SECURE: 'false',
      LOG_LEVEL: 'warn',
      MAIL_TRANSPORT: 'file',
      MAIL_DIR: mailDir,
      // The api's own page for the link: it POSTs the token (the demo does that step itself below).
      VERIFY_EMAIL_URL: `${base}/verify-email?token={token}`,
      // The production deadlines for receiving a request (5 s) are for untrusted clients; the demo's one client
      // is itself, on a machine that may be busy with much else (a CI run starved it past 5 s: 408).
      HEADERS_TIMEOUT_MS: '60000',
      REQUEST_TIMEOUT_MS: '60000',
      SHUTDOWN_TIMEOUT_MS: '65000',
    };
    const api = startService('api', 'apps/api/src/server.ts', serviceEnv);
    const worker = startService('worker', 'apps/worker/src/main.ts', serviceEnv);
    const services: Service[] = [api, worker];
    cleanups.unshift(async () => {
      for (const service of services) {
        const code = await service.stop();
        print(`${service.name} stopped (exit code ${code})`);
      }
    });
    await waitUntilReady(api, `${base}/ready`);
    print(`api listening on ${base}; worker consuming the queue; emails are written to ${mailDir}`);

    const login = await http(base, 'POST', '/auth/login', {
      email: demoUser.email,
      password: demoUser.password,
    });
    exchange(`POST /auth/login (${demoUser.email}, legacy password)`, login, '', 200);
    const me = await http(base, 'GET', '/me', undefined, login.cookie);
    exchange('GET  /me', me, JSON.stringify(me.body), 200);
    const other = await queryOne<{ slug: string }>('SELECT slug FROM users WHERE email = ?', [
      DEMO_USERS[1].email,
    ]);
    const profile = await http(base, 'GET', `/users/${other.slug}`);
    exchange(`GET  /users/${other.slug}`, profile, JSON.stringify(profile.body), 200);
    const old = await http(base, 'GET', `/users/${before.id}`);
    exchange(`GET  /users/${before.id} (an old integer URL)`, old, String(old.body.type ?? ''), 404);

    const email = `newcomer-${runId}@demo.test`;
    const register = await http(base, 'POST', '/auth/register', {
      email,
      password: 'a-brand-new-passphrase',
      firstName: 'New',
      lastName: 'Comer',
    });
    exchange(`POST /auth/register (${email})`, register, JSON.stringify(register.body), 201);
    // The worker started with the api but nothing waited for it: its start-up counts against this wait.
    const mail = await waitForMail(mailDir, SERVICE_START_TIMEOUT_MS);
    print('the worker delivered the verification email:');
    print(`  | To: ${mail.to}\n  | Subject: ${mail.subject}\n  |`);
    print(
      mail.text
        .trim()
        .split('\n')
        .map((line) => `  | ${line}`)
        .join('\n'),
    );
    const token = new URL(/https?:\S+/.exec(mail.text)?.[0] ?? 'https://invalid').searchParams.get('token');
    if (!token) throw new Error('the verification email carries no token link');
    const verified = await http(base, 'POST', '/auth/verify-email', { token });
    exchange(
      'POST /auth/verify-email (the token from the link)',
      verified,
      JSON.stringify(verified.body),
      200,
    );
    const replay = await http(base, 'POST', '/auth/verify-email', { token });
    exchange('POST /auth/verify-email (the same token again)', replay, String(replay.body.type ?? ''), 409);
  } catch (error) {
    exitCode = 1;
    progress.done();
    io.stderr.write(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  } finally {
    await cleanUp();
    print(
      exitCode === 0
        ? `done in ${seconds(started)}; nothing left running`
        : `failed after ${seconds(started)}`,
    );
  }
  return exitCode;
}

function iso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : String(value);
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
  return {
    status: response.status,
    body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>,
    cookie: response.headers.getSetCookie()[0]?.split(';')[0],
  };
}

/** The first message the worker's file transport wrote: one `<message id>.json` file per email. */
async function waitForMail(
  dir: string,
  timeoutMs: number,
): Promise<{ to: string; subject: string; text: string }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [file] = (await readdir(dir)).filter((name) => name.endsWith('.json'));
    if (file !== undefined) return JSON.parse(await readFile(join(dir, file), 'utf8'));
    await sleep(200);
  }
  throw new Error(`no email arrived in ${dir} within ${timeoutMs} ms`);
}
