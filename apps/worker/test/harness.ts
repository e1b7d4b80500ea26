import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  initOrm,
  type Orm,
  SocialAccount,
  type TokenPurpose,
  User,
  UserExport,
  type UserId,
  UserProfile,
  VerificationToken,
} from '@org/db';
import { createTestDatabase } from '@org/db/testing';
import { createJobProducer, type JobProducer, queuePrefixFor } from '@org/jobs';
import {
  createRedisClient,
  createSessionStore,
  type RedisClient,
  type RedisTarget,
  type SessionStore,
} from '@org/sessions';
import { deleteKeysWithPrefix } from '@org/sessions/testing';
import { type RedisTopology, redisTopologies } from '@org/sessions/testing/vitest';
import type { Job, Queue, Worker } from 'bullmq';
import { test as base } from 'vitest';
import { createLogger } from '../src/createLogger.js';
import { createDbStore } from '../src/dbStore.js';
import type { WorkerDeps } from '../src/jobContext.js';
import { createDeliveryLedger } from '../src/mail/deliveryLedger.js';
import { createFileMailTransport } from '../src/mail/fileMailTransport.js';
import { createRedisConnection } from '../src/redisConnection.js';
import { createJobWorker } from '../src/worker.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A fresh, fully migrated database (from `@org/db/testing`), shared by the tests of one file. */
export async function openDatabase(state: 'migrated' | 'legacy' = 'migrated') {
  const database = await createTestDatabase({ state });
  const orm = await initOrm({ clientUrl: database.url });
  return {
    url: database.url,
    orm,
    async close() {
      await orm.close();
      await database.drop();
    },
  };
}

/** Log lines captured as parsed JSON objects. */
export function captureLogs() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      callback();
    },
  });
  return { lines, logger: createLogger('debug', stream) };
}

export interface Harness {
  /** The BullMQ prefix (`{test-...}` on a cluster: every key of the queue in one slot). */
  prefix: string;
  queueName: string;
  /** The test's own client, on the harness's topology. */
  redis: RedisClient;
  jobs: JobProducer;
  queue: Queue;
  deps: WorkerDeps;
  mailDir: string;
  sessions: SessionStore<string>;
  logs: Record<string, unknown>[];
  startWorker(overrides?: Partial<WorkerDeps>): Worker;
  close(): Promise<void>;
}

/** Whether a target names a Redis Cluster (seed nodes given), as the worker's env decides it. */
export function isCluster(target: RedisTarget): boolean {
  return (target.clusterNodes?.length ?? 0) > 0;
}

/**
 * One isolated setup per test: its own BullMQ prefix, session key prefix and mail folder; a
 * producer whose retries back off by 10 ms so retry tests stay fast. `target` is one Redis (default
 * REDIS_URL) or a Redis Cluster (a `redisTopologies()` target): the worker's connection, the producer,
 * the delivery ledger, the session store and `redis` all use it; on a cluster the prefix has a `{tag}`.
 */
export async function createHarness(orm: Orm, target: RedisTarget = { url: REDIS_URL }): Promise<Harness> {
  // The rule the worker's env applies (queuePrefixFor): on a cluster, a prefix without a {hash tag} is refused.
  const prefix = queuePrefixFor({
    configured: isCluster(target) ? `{test-${randomUUID()}}` : `test-${randomUUID()}`,
    cluster: isCluster(target),
  });
  const queueName = 'jobs';
  const redis = createRedisClient(target, { maxRetriesPerRequest: null });
  const mailDir = await mkdtemp(join(tmpdir(), 'worker-mail-'));
  const jobs = createJobProducer({
    connection: redis,
    prefix,
    queueName,
    defaultJobOptions: {
      attempts: 5,
      backoff: { type: 'fixed', delay: 10 },
      removeOnComplete: 100,
      removeOnFail: 100,
    },
  });
  const sessions = createSessionStore<string>({
    redis,
    keyPrefix: `${prefix}:`,
    idleTtlSeconds: 600,
    absoluteTtlSeconds: 3600,
  });
  const { lines, logger } = captureLogs();
  const deps: WorkerDeps = {
    store: createDbStore(orm),
    transport: createFileMailTransport(mailDir),
    ledger: createDeliveryLedger({ redis, keyPrefix: `${prefix}:${queueName}:` }),
    sessions,
    logger,
    mail: {
      from: 'Accounts <no-reply@example.test>',
      verifyEmailUrl: 'https://app.example.test/verify?token={token}',
      resetPasswordUrl: 'https://app.example.test/reset?token={token}',
    },
    cleanup: { batchSize: 2, graceSeconds: 3600 },
  };
  const workers: Worker[] = [];
  const connections: RedisClient[] = [];
  return {
    prefix,
    queueName,
    redis,
    jobs,
    queue: jobs.queue,
    deps,
    mailDir,
    sessions,
    logs: lines,
    startWorker(overrides = {}) {
      const connection = createRedisConnection(target, 'test-worker');
      connections.push(connection);
      const worker = createJobWorker({
        deps: { ...deps, ...overrides },
        connection,
        prefix,
        queueName,
        concurrency: 4,
      });
      workers.push(worker);
      return worker;
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.close(true)));
      for (const connection of connections) connection.disconnect();
      await jobs.queue.obliterate({ force: true });
      // SCAN + UNLINK on every master of a cluster (KEYS only sees one node).
      await deleteKeysWithPrefix(redis, `${prefix}:`);
      await jobs.close();
      redis.disconnect();
      await rm(mailDir, { recursive: true, force: true });
    },
  };
}

/**
 * The set-up every job test shares, as vitest fixtures: `database` (once per file) a fresh migrated database
 * with an ORM, dropped afterwards; `harness` (per test) an isolated queue, session store and mail folder
 * (`createHarness`) on `target` (default: the one Redis at REDIS_URL), closed and removed afterwards.
 *
 * @example
 * describe.each(redisTopologies())('on $name Redis', ({ target }) => {
 *   const test = workerTestOn(target);
 *   test('...', async ({ database, harness }) => { ... });
 * });
 */
export function workerTestOn(target: RedisTarget = { url: REDIS_URL }) {
  return (
    base
      // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
      .extend('database', { scope: 'file' }, async ({}, { onCleanup }) => {
        const database = await openDatabase();
        onCleanup(() => database.close());
        return database;
      })
      .extend('harness', async ({ database }, { onCleanup }) => {
        const harness = await createHarness(database.orm, target);
        onCleanup(() => harness.close());
        return harness;
      })
  );
}

export const workerTest = workerTestOn();

/**
 * `redisTopologies()` (one Redis, the run's 3-master cluster), each with the job fixtures on it (issue 14). The
 * one-Redis entry uses `workerTest`, so a file that also has topology-free tests opens one database for both.
 *
 * @example
 * describe.each(workerTopologies())('... on $name Redis', ({ test, env }) => { ... });
 */
export function workerTopologies(): (RedisTopology & { test: typeof workerTest })[] {
  return redisTopologies().map((topology) => ({
    ...topology,
    test: topology.name === 'single' ? workerTest : workerTestOn(topology.target),
  }));
}

/** Waits until a job is completed or failed (polling; BullMQ events would need another connection). */
export async function settled(queue: Queue, jobId: string, timeoutMs = 15_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await queue.getJobState(jobId);
    if (state === 'completed' || state === 'failed') {
      const job = await queue.getJob(jobId);
      if (job) return job;
    }
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${state} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function createUser(
  orm: Orm,
  overrides: Partial<{ email: string; firstName: string; isActive: boolean }> = {},
) {
  const em = orm.em.fork();
  const user = em.create(User, {
    email: overrides.email ?? `user-${randomUUID()}@example.test`,
    password: 'pbkdf2_sha256$600000$salt$aGFzaA==',
    firstName: overrides.firstName ?? 'Ada',
    lastName: 'Lovelace',
    isActive: overrides.isActive ?? true,
  });
  await em.flush();
  return user;
}

export async function createToken(
  orm: Orm,
  userId: UserId,
  options: { purpose?: TokenPurpose; expiresAt?: Date; usedAt?: Date | null } = {},
) {
  const secret = randomBytes(32).toString('base64url');
  const em = orm.em.fork();
  const token = em.create(VerificationToken, {
    user: userId,
    tokenHash: createHash('sha256').update(secret).digest('hex'),
    purpose: options.purpose ?? 'email_verification',
    expiresAt: options.expiresAt ?? new Date(Date.now() + 3600_000),
    usedAt: options.usedAt ?? null,
  });
  await em.flush();
  return { token, secret };
}

/** A user with an email token, and the payload of the job that emails it, as the api enqueues it. */
export async function createUserWithToken(
  orm: Orm,
  options: { user?: Parameters<typeof createUser>[1]; token?: Parameters<typeof createToken>[2] } = {},
) {
  const user = await createUser(orm, options.user);
  const { token, secret } = await createToken(orm, user.id, options.token);
  return { user, token, secret, payload: { userId: user.id, tokenId: token.id, secret } };
}

export async function createProfileAndAccounts(orm: Orm, userId: UserId) {
  const em = orm.em.fork();
  em.create(UserProfile, { user: userId, displayName: 'Ada L.', bio: 'Analyst', avatarUrl: null });
  em.create(SocialAccount, {
    user: userId,
    provider: 'github',
    uid: `gh-${randomUUID()}`,
    extraData: { login: 'ada', access_token: 'gho_secret', nested: { refreshToken: 'r', plan: 'free' } },
  });
  em.create(SocialAccount, { user: userId, provider: 'google', uid: `g-${randomUUID()}`, extraData: {} });
  await em.flush();
}

/** A pending export of the user, as `POST /me/export` creates it (expiring in an hour unless told). */
export async function createExport(orm: Orm, userId: UserId, options: { expiresAt?: Date } = {}) {
  const em = orm.em.fork();
  const row = em.create(UserExport, {
    user: userId,
    expiresAt: options.expiresAt ?? new Date(Date.now() + 3600_000),
  });
  await em.flush();
  return row;
}
