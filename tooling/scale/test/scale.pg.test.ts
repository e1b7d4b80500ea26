import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@org/cli';
import { initOrm, type Orm } from '@org/db';
import { createTestDatabase, type TestDatabase } from '@org/db/testing';
import { isUuidV6, parseUuidV6, uuidV6Ticks } from '@org/ids';
import { JOBS_QUEUE } from '@org/jobs';
import { createRedisClient, type RedisClient } from '@org/sessions';
import { deleteKeysWithPrefix } from '@org/sessions/testing';
import { redisTopologies } from '@org/sessions/testing/vitest';
import { type JobType, Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, createApiClient } from './apiClient.js';
import { type AppProcess, describeOutput, START_TIMEOUT_MS, startAppProcess } from './appProcess.js';
import { metricValue } from './metricValue.js';
import { pollUntil } from './pollUntil.js';

/*
 * The "scale beyond one machine" check: two api and two worker processes, started exactly as
 * `pnpm start` starts them, share one PostgreSQL database, one Redis key prefix and one BullMQ queue, and
 * behave as one system: sessions, ids and jobs. All of it twice: on one Redis, and on a 3-master Redis Cluster
 * (issue 14) that the package's test run starts (REDIS_CLUSTER_NODES for every process).
 */

const REGISTRATIONS_PER_API = 20;
const PASSWORD = 'scale-check-password';
// Ceilings for work of processes already running, on a machine running every package's tests at once.
const STOP_TIMEOUT_MS = 60_000;
const DELIVERY_TIMEOUT_MS = 60_000;

/** What the file mail transport writes (apps/worker/src/mail/fileMailTransport.ts), as far as we read it. */
interface StoredMail {
  messageId: string;
  to: string;
  subject: string;
  text: string;
}

/** One message file in the shared mail folder. */
interface MailFile {
  file: string;
  mail: StoredMail;
}

const MESSAGE_ID = /^<send-verification-email\.([0-9a-f-]{36})@worker\.local>$/;

describe.each(redisTopologies())('on $name Redis', (topology) => {
  const stem = `scale-${randomBytes(6).toString('hex')}`;
  const keyPrefix = `${stem}:`;
  // On a cluster every key of a BullMQ queue must hash to one slot: the queue prefix carries a hash tag.
  const queuePrefix = topology.name === 'cluster' ? `{${stem}}-bull` : `${stem}-bull`;
  const emailDomain = `${stem}.scale.test`;

  let db: TestDatabase | undefined;
  let orm: Orm | undefined;
  let redis: RedisClient | undefined;
  let queue: Queue | undefined;
  let tempDir: string | undefined;
  let mailDir = '';
  const apis: AppProcess[] = [];
  const workers: AppProcess[] = [];
  const clients: ApiClient[] = [];
  /** Each process's Prometheus listener (METRICS_PORT / WORKER_METRICS_PORT): four on one machine, none shared. */
  const metricsUrls = new Map<AppProcess, string>();
  const usedPorts = new Set<number>();
  /** Every account registered through the apis, by email, with the index of the api that created it. */
  const registered = new Map<string, number>();
  let nextClientIp = 1;

  /** A fresh client address per request: the rate limits are per address and shared by both apis. */
  function clientIp(): string {
    const n = nextClientIp++;
    return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
  }

  function allOutput(): string {
    return [...apis, ...workers].map((app) => describeOutput(app)).join('\n');
  }

  function sql<T>(query: string, params: unknown[] = []): Promise<T[]> {
    if (orm === undefined) throw new Error('database not open');
    return orm.em.getConnection().execute<T[]>(query, params, 'all');
  }

  async function waitUntilReady(app: AppProcess, probe: () => Promise<true | undefined>): Promise<void> {
    await Promise.race([
      pollUntil(`${app.name} to be ready`, probe, {
        timeoutMs: START_TIMEOUT_MS,
        intervalMs: 200,
        describe: () => describeOutput(app),
      }),
      app.exited.then((status) => {
        throw new Error(
          `${app.name} exited (${JSON.stringify(status)}) before it was ready\n${describeOutput(app)}`,
        );
      }),
    ]);
  }

  async function register(api: number, email: string): Promise<{ slug: string }> {
    const client = clients[api];
    if (client === undefined) throw new Error(`no api #${api + 1}`);
    const response = await client.post(
      '/auth/register',
      { email, password: PASSWORD, firstName: 'Scale', lastName: `Api${api + 1}` },
      { clientIp: clientIp() },
    );
    expect(response.status, `register ${email} on api #${api + 1}: ${JSON.stringify(response.body)}`).toBe(
      201,
    );
    registered.set(email, api);
    return response.body as { slug: string };
  }

  async function readMailFiles(): Promise<MailFile[]> {
    let names: string[];
    try {
      names = await readdir(mailDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    // The transport writes `<name>.json.<pid>.<ms>.tmp` and renames it: only `.json` files are complete.
    const files = names.filter((name) => name.endsWith('.json'));
    return Promise.all(
      files.map(async (file) => ({
        file,
        mail: JSON.parse(await readFile(join(mailDir, file), 'utf8')) as StoredMail,
      })),
    );
  }

  /** The message ids a worker process logged as delivered, one entry per delivery. */
  function deliveriesLoggedBy(worker: AppProcess): string[] {
    return worker
      .logLines()
      .filter((line) => line.msg === 'email delivered' && line.job === 'send-verification-email')
      .map((line) => String(line.messageId));
  }

  /** A free loopback port not already handed to another process of this suite. */
  async function distinctFreePort(): Promise<number> {
    for (;;) {
      const port = await freePort();
      if (!usedPorts.has(port)) {
        usedPorts.add(port);
        return port;
      }
    }
  }

  async function scrapeMetrics(app: AppProcess): Promise<string> {
    const response = await fetch(metricsUrls.get(app) ?? `${app.name} has no metrics url`);
    expect(response.status, `GET /metrics of ${app.name}`).toBe(200);
    return response.text();
  }

  function redisClient(): RedisClient {
    if (redis === undefined) throw new Error('Redis not open');
    return redis;
  }

  function jobsQueue(): Queue {
    if (queue === undefined) throw new Error('queue not open');
    return queue;
  }

  /** How many verification-email jobs are in any of these states (the cleanup scheduler's jobs share the queue). */
  async function countEmailJobs(types: JobType[]): Promise<number> {
    const jobs = await jobsQueue().getJobs(types);
    return jobs.filter((job) => job?.name === 'send-verification-email').length;
  }

  function client(api: number): ApiClient {
    const found = clients[api];
    if (found === undefined) throw new Error(`no api #${api + 1}`);
    return found;
  }

  beforeAll(async () => {
    db = await createTestDatabase({ state: 'migrated' });
    orm = await initOrm({ clientUrl: db.url });
    redis = createRedisClient(topology.target, { maxRetriesPerRequest: null });
    tempDir = await mkdtemp(join(tmpdir(), 'scale-check-'));
    mailDir = join(tempDir, 'mail');

    const shared = {
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      ...topology.env,
      REDIS_KEY_PREFIX: keyPrefix,
      // The worker's older name for REDIS_KEY_PREFIX, still set so the check runs against either version.
      SESSION_KEY_PREFIX: keyPrefix,
      QUEUE_PREFIX: queuePrefix,
      LOG_LEVEL: 'info',
      // Production's 5 s deadlines for receiving a request are not under test here; a starved CI machine has
      // held a process off the CPU past them (408).
      HEADERS_TIMEOUT_MS: '20000',
      REQUEST_TIMEOUT_MS: '20000',
      SHUTDOWN_TIMEOUT_MS: '25000',
    };
    const ports = [await distinctFreePort(), await distinctFreePort()];
    for (const [index, port] of ports.entries()) {
      const metricsPort = await distinctFreePort();
      apis.push(
        startAppProcess(`api#${index + 1}`, 'apps/api/src/server.ts', {
          ...shared,
          HOST: '127.0.0.1',
          PORT: String(port),
          METRICS_PORT: String(metricsPort),
          COOKIE_SECURE: 'false',
          // As behind a load balancer: the client address comes from X-Forwarded-For.
          TRUST_PROXY: 'true',
        }),
      );
      clients.push(createApiClient(`http://127.0.0.1:${port}`));
      metricsUrls.set(apis.at(-1) as AppProcess, `http://127.0.0.1:${metricsPort}/metrics`);
    }
    for (const index of [1, 2]) {
      const metricsPort = await distinctFreePort();
      workers.push(
        startAppProcess(`worker#${index}`, 'apps/worker/src/main.ts', {
          ...shared,
          WORKER_METRICS_PORT: String(metricsPort),
          MAIL_TRANSPORT: 'file',
          MAIL_DIR: mailDir,
          // One job at a time per process makes the share between the two visible (the default is 8).
          WORKER_CONCURRENCY: '1',
        }),
      );
      metricsUrls.set(workers.at(-1) as AppProcess, `http://127.0.0.1:${metricsPort}/metrics`);
    }
    queue = new Queue(JOBS_QUEUE, { connection: redis, prefix: queuePrefix });

    await Promise.all([
      ...apis.map((app, index) =>
        waitUntilReady(app, async () =>
          (await client(index).get('/ready')).status === 200 ? true : undefined,
        ),
      ),
      ...workers.map((app) =>
        waitUntilReady(app, async () =>
          app.logLines().some((line) => line.msg === 'worker started') ? true : undefined,
        ),
      ),
    ]);
  }, START_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    const problems: string[] = [];
    const attempt = async (what: string, run: () => Promise<unknown>) => {
      try {
        await run();
      } catch (error) {
        problems.push(`${what}: ${(error as Error).message}`);
      }
    };
    for (const app of [...apis, ...workers]) {
      if (!app.isRunning()) continue;
      await attempt(`stop ${app.name}`, async () => {
        if ((await app.stop(5_000)) === null) {
          app.kill();
          await app.exited;
        }
      });
    }
    await attempt('close queue', async () => queue?.close());
    await attempt('remove Redis keys', async () => redis && deleteKeysWithPrefix(redis, keyPrefix));
    await attempt('remove queue keys', async () => redis && deleteKeysWithPrefix(redis, `${queuePrefix}:`));
    await attempt('quit Redis', async () => redis?.quit());
    await attempt('close database', async () => orm?.close(true));
    await attempt('drop database', async () => db?.drop());
    await attempt('remove temp dir', async () => tempDir && rm(tempDir, { recursive: true, force: true }));
    if (problems.length > 0) throw new Error(`cleanup failed:\n${problems.join('\n')}`);
  }, 60_000);

  describe('two api and two worker processes on one PostgreSQL and one Redis (or one cluster)', () => {
    it('honours a session on the api that did not create it, and ends it everywhere on logout', async () => {
      const email = `session@${emailDomain}`;
      const { slug } = await register(0, email);

      const login = await client(0).post(
        '/auth/login',
        { email, password: PASSWORD },
        { clientIp: clientIp() },
      );
      expect(login.status, JSON.stringify(login.body)).toBe(200);
      const cookie = login.setCookie;
      expect(cookie, 'login on api #1 sets a session cookie').toBeDefined();

      const meOnSecond = await client(1).get('/me', { cookie });
      expect(meOnSecond.status, `GET /me on api #2 with the api #1 session\n${allOutput()}`).toBe(200);
      expect(meOnSecond.body).toMatchObject({ slug, email });

      const logout = await client(1).post('/auth/logout', undefined, { cookie });
      expect(logout.status).toBe(204);
      expect((await client(0).get('/me', { cookie })).status, 'the session ended on api #1 too').toBe(401);
      expect((await client(1).get('/me', { cookie })).status).toBe(401);

      // And the other way round: signed in on api #2, honoured by api #1.
      const again = await client(1).post(
        '/auth/login',
        { email, password: PASSWORD },
        { clientIp: clientIp() },
      );
      expect(again.status).toBe(200);
      expect(again.setCookie).not.toBe(cookie);
      const meOnFirst = await client(0).get('/me', { cookie: again.setCookie });
      expect(meOnFirst.status).toBe(200);
      expect(meOnFirst.body).toMatchObject({ slug });
    });

    it('mints unique UUIDv6 ids in both apis at the same time', async () => {
      const signUps = [0, 1].flatMap((api) =>
        Array.from({ length: REGISTRATIONS_PER_API }, (_, n) => ({
          api,
          email: `u${n}.api${api + 1}@${emailDomain}`,
        })),
      );
      // Paused, the queue keeps the verification jobs of these sign-ups as a backlog that both workers then
      // compete for (next test): jobs trickling in one by one may all go to whichever worker is idle first.
      await jobsQueue().pause();
      // Interleaved, all in flight at once: both processes mint ids during the same milliseconds.
      const order = signUps.sort((a, b) => a.email.localeCompare(b.email));
      await Promise.all(order.map(({ api, email }) => register(api, email)));

      const rows = await sql<{ id: string; kind: string; email: string }>(
        `select u.id::text as id, 'user' as kind, u.email from users u
       union all select p.id::text, 'profile', u.email from user_profiles p join users u on u.id = p.user_id
       union all select t.id::text, 'token', u.email from verification_tokens t join users u on u.id = t.user_id`,
      );
      const minted = rows
        .filter((row) => registered.has(row.email))
        .map((row) => ({ ...row, api: registered.get(row.email) as number }));
      // user + profile + verification token per account
      expect(minted).toHaveLength(registered.size * 3);

      const ids = minted.map((row) => row.id);
      const invalid = ids.flatMap((id) => {
        try {
          return parseUuidV6(id) === id ? [] : [`${id}: not canonical`];
        } catch (error) {
          return [`${id}: ${(error as Error).message}`];
        }
      });
      expect(invalid, 'ids that are not canonical UUIDv6').toEqual([]);
      expect(new Set(ids).size, 'duplicate ids across the api processes').toBe(ids.length);

      const [first, second] = [0, 1].map((api) => {
        const ticks = minted
          .filter((row) => row.api === api)
          .map((row) => uuidV6Ticks(row.id))
          .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        return { count: ticks.length, from: ticks[0] ?? 0n, to: ticks.at(-1) ?? 0n };
      });
      expect(first?.count).toBeGreaterThanOrEqual(REGISTRATIONS_PER_API * 3);
      expect(second?.count).toBe(REGISTRATIONS_PER_API * 3);
      // The check only means something if both processes minted during the same interval.
      const overlap =
        first !== undefined && second !== undefined && first.from <= second.to && second.from <= first.to;
      expect(overlap, 'the two apis minted their ids in overlapping intervals').toBe(true);
    });

    it('delivers every verification email exactly once, shared between both workers', async () => {
      const backlog = await countEmailJobs(['waiting']);
      expect(backlog, 'verification jobs queued by both apis while the queue was paused').toBe(
        2 * REGISTRATIONS_PER_API,
      );
      await jobsQueue().resume();

      const tokens = await sql<{ id: string; email: string }>(
        `select t.id::text as id, u.email from verification_tokens t join users u on u.id = t.user_id
       where t.purpose = 'email_verification'`,
      );
      expect(tokens).toHaveLength(registered.size);
      const expected = tokens.length;
      const emailOfToken = new Map(tokens.map((token) => [token.id, token.email]));

      await pollUntil(
        `${expected} completed verification jobs and no email job left`,
        async () => {
          const completed = await countEmailJobs(['completed']);
          const pending = await countEmailJobs(['waiting', 'active', 'delayed', 'prioritized']);
          return completed >= expected && pending === 0 ? true : undefined;
        },
        {
          timeoutMs: DELIVERY_TIMEOUT_MS,
          intervalMs: 250,
          describe: async () =>
            `job counts ${JSON.stringify(await jobsQueue().getJobCounts())}\n${allOutput()}`,
        },
      );

      // The mail folder both workers write to: one message per token, to the token's user.
      const files = await readMailFiles();
      expect(files, allOutput()).toHaveLength(expected);
      const mailedTokenIds = files.map(({ mail }) => MESSAGE_ID.exec(mail.messageId)?.[1]);
      expect(mailedTokenIds.filter((id) => id === undefined || !isUuidV6(id))).toEqual([]);
      expect(new Set(mailedTokenIds)).toEqual(new Set(emailOfToken.keys()));
      for (const { mail } of files) {
        expect(mail.to).toBe(emailOfToken.get(MESSAGE_ID.exec(mail.messageId)?.[1] ?? ''));
      }

      // The file transport names a message after its id, so a second delivery would overwrite the first file:
      // the workers' own logs are what show a duplicate. The worker mints no id of its own (message and job ids
      // derive from the token ids the api minted): its side of the id check is that every message id is
      // distinct and names a token minted by an api. Together the two logs hold exactly one delivery per token,
      // and both workers took part (in whatever proportion).
      const perWorker = workers.map(deliveriesLoggedBy);
      const allDeliveries = perWorker.flat();
      expect(allDeliveries, 'deliveries logged by the two workers').toHaveLength(expected);
      expect(new Set(allDeliveries)).toEqual(new Set(files.map(({ mail }) => mail.messageId)));
      for (const [index, deliveries] of perWorker.entries()) {
        expect(deliveries.length, `worker#${index + 1} delivered nothing\n${allOutput()}`).toBeGreaterThan(0);
      }
      console.info(
        `verification emails per worker: ${perWorker.map((d) => d.length).join(' + ')} = ${expected}`,
      );

      // BullMQ agrees: every email job completed once by a delivery, none failed.
      const completed = (await jobsQueue().getJobs(['completed'])).filter(
        (job) => job?.name === 'send-verification-email',
      );
      expect(completed).toHaveLength(expected);
      expect(new Set(completed.map((job) => job.id))).toEqual(
        new Set([...emailOfToken.keys()].map((id) => `verify-email.${id}`)),
      );
      expect(
        completed.filter((job) => (job.returnvalue as { status?: string } | null)?.status !== 'sent'),
      ).toEqual([]);
      expect(await jobsQueue().getJobCountByTypes('failed'), allOutput()).toBe(0);

      // The workers' idempotency ledger (apps/worker/src/mail/deliveryLedger.ts) recorded each token as sent.
      const ledger = await Promise.all(
        [...emailOfToken.keys()].map(async (id) => ({
          id,
          value: await redisClient().get(`${queuePrefix}:${JOBS_QUEUE}:email-delivery:${id}`),
        })),
      );
      expect(ledger.filter(({ id, value }) => !value?.startsWith(`sent:verify-email.${id}/`))).toEqual([]);

      // Each emailed link opens the api's page for it (the worker's default link, issue 13 item 17), and works
      // exactly once, on either api.
      const links = files.map(({ mail }) => new URL(/https?:\/\/\S+/.exec(mail.text)?.[0] ?? 'x:'));
      const page = await client(0).get(`${links[0]?.pathname}${links[0]?.search}`);
      expect(page.status, `${links[0]}`).toBe(200);
      expect(String(page.body)).toContain('fetch("/auth/verify-email"');
      const secrets = links.map((link) => link.searchParams.get('token'));
      expect(new Set(secrets).size).toBe(expected);
      const verified = await Promise.all(
        secrets.map((token, n) =>
          client(n % 2).post('/auth/verify-email', { token }, { clientIp: clientIp() }),
        ),
      );
      expect(verified.map((response) => response.status)).toEqual(secrets.map(() => 200));
      const replay = await client(1).post(
        '/auth/verify-email',
        { token: secrets[0] },
        { clientIp: clientIp() },
      );
      expect(replay.status).toBe(409);
      const unverified = await sql<{ email: string }>('select email from users where not email_verified');
      expect(unverified.filter((row) => registered.has(row.email))).toEqual([]);
    });

    it('serves the metrics of each process on a port of its own; together they account for the work done', async () => {
      expect((await client(0).get('/metrics')).status, 'the public port has no /metrics').toBe(404);
      const apiTexts = await Promise.all(apis.map(scrapeMetrics));
      const registrations = apiTexts.map((text) =>
        metricValue(text, 'http_requests_total', { method: 'POST', route: '/auth/register', status: '201' }),
      );
      expect(registrations[0]! + registrations[1]!).toBe(registered.size);
      // The session test signed in once on each api.
      expect(apiTexts.map((text) => metricValue(text, 'api_sessions_total', { outcome: 'created' }))).toEqual(
        [1, 1],
      );
      for (const text of apiTexts) expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);

      const emailJobs = { job: 'send-verification-email' };
      // A worker counts a job a moment after BullMQ recorded it as completed.
      const completed = await pollUntil(
        `${registered.size} completed email jobs in the workers' metrics`,
        async () => {
          const texts = await Promise.all(workers.map(scrapeMetrics));
          const counts = texts.map((text) =>
            metricValue(text, 'worker_jobs_total', { ...emailJobs, outcome: 'completed' }),
          );
          return counts[0]! + counts[1]! === registered.size ? { counts, texts } : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 100, describe: allOutput },
      );
      expect(
        completed.counts.every((count) => count > 0),
        `completed per worker: ${completed.counts}`,
      ).toBe(true);
      for (const text of completed.texts) {
        expect(metricValue(text, 'worker_jobs_total', { ...emailJobs, outcome: 'failed' })).toBe(0);
        expect(metricValue(text, 'worker_queue_jobs', { state: 'waiting' })).toBe(0);
      }
    });

    it('stops all four processes cleanly on SIGTERM', async () => {
      const apps = [...apis, ...workers];
      const statuses = await Promise.all(apps.map((app) => app.stop(STOP_TIMEOUT_MS)));
      for (const [index, app] of apps.entries()) {
        expect(statuses[index], `${app.name} exit on SIGTERM\n${describeOutput(app)}`).toEqual({
          code: 0,
          signal: null,
        });
      }
      // Nothing was delivered twice while the workers were closing.
      expect(workers.flatMap(deliveriesLoggedBy)).toHaveLength(registered.size);
      for (const app of apps) {
        await expect(fetch(metricsUrls.get(app) ?? ''), `${app.name}'s metrics listener`).rejects.toThrow();
      }
    });
  });
});
