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
import { createJobProducer, type JobProducer } from '@org/jobs';
import { createSessionStore, type SessionStore } from '@org/sessions';
import type { Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
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
  prefix: string;
  queueName: string;
  redis: Redis;
  jobs: JobProducer;
  queue: Queue;
  deps: WorkerDeps;
  mailDir: string;
  sessions: SessionStore<string>;
  logs: Record<string, unknown>[];
  startWorker(overrides?: Partial<WorkerDeps>): Worker;
  close(): Promise<void>;
}

/**
 * One isolated setup per test: its own BullMQ prefix, session key prefix and mail folder; a
 * producer whose retries back off by 10 ms so retry tests stay fast.
 */
export async function createHarness(orm: Orm): Promise<Harness> {
  const prefix = `test-${randomUUID()}`;
  const queueName = 'jobs';
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
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
  const connections: Redis[] = [];
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
      const connection = createRedisConnection(REDIS_URL, 'test-worker');
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
      const leftovers = await redis.keys(`${prefix}:*`);
      if (leftovers.length > 0) await redis.del(...leftovers);
      await jobs.close();
      redis.disconnect();
      await rm(mailDir, { recursive: true, force: true });
    },
  };
}

/**
 * The set-up every job test shares, as vitest fixtures: `database` (once per file) a fresh migrated database
 * with an ORM, dropped afterwards; `harness` (per test) an isolated queue, session store and mail folder
 * (`createHarness`), closed and removed afterwards.
 */
export const workerTest = base
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  .extend('database', { scope: 'file' }, async ({}, { onCleanup }) => {
    const database = await openDatabase();
    onCleanup(() => database.close());
    return database;
  })
  .extend('harness', async ({ database }, { onCleanup }) => {
    const harness = await createHarness(database.orm);
    onCleanup(() => harness.close());
    return harness;
  });

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
