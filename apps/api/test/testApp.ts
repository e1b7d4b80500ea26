import { randomUUID } from 'node:crypto';
import { initOrm, type Orm, runMigrations } from '@org/db';
import { createTestDatabase } from '@org/db/testing';
import { createJobProducer, type JobProducer } from '@org/jobs';
import { createRedisClient, type RedisClient, type RedisTarget } from '@org/sessions';
import { deleteKeysWithPrefix } from '@org/sessions/testing';
import type { FastifyServerOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { type App, buildApp } from '../src/app.js';
import { type AppConfig, DEFAULT_RATE_LIMITS } from '../src/config.js';
import { type ProblemType, problemTypeUri } from '../src/http/problemTypes.js';
import type { Kdf } from '../src/passwords/kdf.js';
import { createApiRedis } from '../src/redisClient.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Cheap scrypt so suites stay fast; production params are tested in the password unit tests. */
export function testConfig(keyPrefix: string, overrides: Partial<AppConfig> = {}): AppConfig {
  return {
    keyPrefix,
    session: { idleTtlSeconds: 1800, absoluteTtlSeconds: 7 * 86_400, cookieSecure: true },
    tokens: { verificationTtlSeconds: 86_400, passwordResetTtlSeconds: 3600 },
    rateLimits: Object.fromEntries(
      // Generous limits so flows are not throttled; the resend cooldown keeps its one-per-window rule.
      Object.entries(DEFAULT_RATE_LIMITS).map(([bucket, rule]) => [
        bucket,
        bucket === 'resendCooldown' ? rule : { ...rule, limit: 1000 },
      ]),
    ) as AppConfig['rateLimits'],
    password: { logN: 10, r: 8, p: 1 },
    // The legacy vectors of the tests have 1000 iterations.
    legacyPbkdf2Iterations: 1000,
    bodyLimitBytes: 16 * 1024,
    trustProxy: false,
    http: { headersTimeoutMs: 5000, requestTimeoutMs: 5000 },
    jobs: { enqueueTimeoutMs: 2000 },
    account: { exportTtlSeconds: 3600, deletionGraceSeconds: 30 * 86_400 },
    ...overrides,
  };
}

export interface TestDatabase {
  url: string;
  orm: Orm;
  close(): Promise<void>;
}

/** A fresh migrated PostgreSQL database of the test file's own, dropped by `close`. */
export async function openTestDatabase(): Promise<TestDatabase> {
  // Created empty and migrated here: createTestDatabase({ state: 'migrated' }) currently hangs (its one-connection
  // pool deadlocks inside the migration transaction); reported to the db owner.
  const db = await createTestDatabase({ state: 'empty' });
  const orm = await initOrm({ clientUrl: db.url });
  await runMigrations(orm, {});
  return {
    url: db.url,
    orm,
    async close() {
      await orm.close(true);
      await db.drop();
    },
  };
}

export interface TestApp {
  app: App;
  redis: RedisClient;
  jobs: JobProducer;
  prefix: string;
  /** Raw secrets of the email jobs enqueued so far, newest last. */
  emailSecrets(name: 'send-verification-email' | 'send-password-reset'): Promise<string[]>;
  close(): Promise<void>;
}

export interface StartTestAppOptions {
  config?: Partial<AppConfig>;
  redisUrl?: string;
  /** One Redis or a Redis Cluster (a `redisTopologies()` target) for the api and its queue; wins over `redisUrl`. */
  redisTarget?: RedisTarget;
  now?: () => number;
  kdf?: Kdf;
  logger?: FastifyServerOptions['logger'];
  /** Where the job queue lives (default `redisTarget`, else REDIS_URL). */
  queueRedisUrl?: string;
}

/** The api on a test database, with its own Redis key prefix and its own BullMQ prefix. */
export async function startTestApp(db: TestDatabase, options: StartTestAppOptions = {}): Promise<TestApp> {
  const prefix = `test-${randomUUID()}:`;
  const target = options.redisTarget ?? { url: options.redisUrl ?? REDIS_URL };
  const queueTarget =
    options.queueRedisUrl !== undefined
      ? { url: options.queueRedisUrl }
      : (options.redisTarget ?? { url: REDIS_URL });
  // On a cluster every key of a queue must share one slot: a {hash tag} prefix, as queuePrefixFor requires.
  const queuePrefix =
    (queueTarget.clusterNodes?.length ?? 0) > 0 ? `{test-bull-${randomUUID()}}` : `test-bull-${randomUUID()}`;
  const redis = createApiRedis(target);
  // As server.ts builds it: waits for Redis, no command timeout.
  const queueRedis = createRedisClient(queueTarget, { maxRetriesPerRequest: null });
  const jobs = createJobProducer({ connection: queueRedis, prefix: queuePrefix });
  const app = await buildApp({
    orm: db.orm,
    redis,
    jobs,
    config: testConfig(prefix, options.config),
    // API_TEST_LOG=debug shows the api's logs while debugging a test.
    logger:
      options.logger ??
      (process.env.API_TEST_LOG === undefined ? false : { level: process.env.API_TEST_LOG }),
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.kdf === undefined ? {} : { kdf: options.kdf }),
  });
  await app.ready();
  await waitForRedis(redis);
  return {
    app,
    redis,
    jobs,
    prefix,
    async emailSecrets(name) {
      // Resets and resends issue their token after the answer.
      await app.background.idle();
      const all = await jobs.queue.getJobs(['waiting', 'delayed', 'prioritized', 'active', 'completed']);
      return all
        .filter((job) => job.name === name)
        .sort((a, b) => a.timestamp - b.timestamp)
        .map((job) => (job.data as { secret: string }).secret);
    },
    async close() {
      await app.close();
      await jobs.queue.obliterate({ force: true });
      await jobs.close();
      await deleteKeysWithPrefix(queueRedis, queuePrefix);
      queueRedis.disconnect();
      if (redis.status === 'ready') await deleteKeysWithPrefix(redis, prefix);
      redis.disconnect();
    },
  };
}

/** The app of the running test in a file that uses `useTestApp`, with the file's database. */
export interface SuiteApp extends TestApp {
  readonly db: TestDatabase;
  /**
   * Closes this test's app and starts another on the same database, e.g. with other limits; `options` go over
   * the suite's `start` options, so the new app stays on the suite's Redis topology unless told otherwise.
   */
  restart(options: StartTestAppOptions): Promise<void>;
}

/**
 * Registers the usual hooks: one database for the file, and a fresh app (its own Redis and queue prefixes)
 * around every test, or one app for the whole file with `perFile` (for tests that leave nothing behind that
 * another could trip over). The returned object always stands for the running test's app.
 */
export function useTestApp(options: { perFile?: boolean; start?: StartTestAppOptions } = {}): SuiteApp {
  let db: TestDatabase | undefined;
  let current: TestApp | undefined;
  const database = () => db ?? fail('the database opens in beforeAll');
  const app = () => current ?? fail('the app starts in beforeEach');
  beforeAll(async () => {
    db = await openTestDatabase();
    if (options.perFile) current = await startTestApp(db, options.start);
  });
  afterAll(async () => {
    if (options.perFile) await current?.close();
    await db?.close();
  });
  if (!options.perFile) {
    beforeEach(async () => {
      current = await startTestApp(database(), options.start);
    });
    afterEach(() => current?.close());
  }
  return {
    get db() {
      return database();
    },
    get app() {
      return app().app;
    },
    get redis() {
      return app().redis;
    },
    get jobs() {
      return app().jobs;
    },
    get prefix() {
      return app().prefix;
    },
    emailSecrets: (name) => app().emailSecrets(name),
    close: () => app().close(),
    async restart(restartOptions) {
      await app().close();
      current = await startTestApp(database(), { ...options.start, ...restartOptions });
    },
  };
}

function fail(reason: string): never {
  throw new Error(`useTestApp: ${reason}`);
}

/** The api's client refuses commands until connected (no offline queue): wait for it. */
export async function waitForRedis(redis: RedisClient): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
}

/** The session cookie a response set (undefined when it set none). */
export function sessionCookieOf(res: LightMyRequestResponse): string | undefined {
  const cookie = res.cookies.find((c) => c.name === '__Host-sid');
  return cookie === undefined || cookie.value === '' ? undefined : cookie.value;
}

export function cookieHeader(token: string): { cookie: string } {
  return { cookie: `__Host-sid=${token}` };
}

export async function register(
  t: TestApp,
  email: string,
  password = 'correct horse battery',
): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'POST', url: '/auth/register', payload: { email, password } });
}

export async function login(
  t: TestApp,
  email: string,
  password = 'correct horse battery',
): Promise<{ res: LightMyRequestResponse; token: string }> {
  const res = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { email, password } });
  return { res, token: sessionCookieOf(res) ?? '' };
}

/** Registers and signs in a user; returns the session token and the user's slug. */
export async function signUp(t: TestApp, email: string, password = 'correct horse battery') {
  const reg = await register(t, email, password);
  if (reg.statusCode !== 201) throw new Error(`register failed: ${reg.statusCode} ${reg.body}`);
  const { res, token } = await login(t, email, password);
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  return { token, slug: (reg.json() as { slug: string }).slug };
}

/** The response is an RFC 9457 problem of this status and type. */
export function expectProblem(
  res: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  status: number,
  type: ProblemType,
): void {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.json()).toMatchObject({ type: problemTypeUri(type), title: expect.any(String), status });
}
