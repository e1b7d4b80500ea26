import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@org/cli';
import { initOrm, type Orm, UserIds } from '@org/db';
import { createTestDatabase, type TestDatabase } from '@org/db/testing';
import { deleteKeysWithPrefix } from '@org/sessions/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AppProcess, describeOutput, START_TIMEOUT_MS, startAppProcess } from './appProcess.js';
import { isolatedAppEnv, REDIS_URL } from './isolatedAppEnv.js';
import { pollUntil } from './pollUntil.js';

/*
 * One Redis only: what is tested is the relaying of signals and a shutdown held open by a PostgreSQL lock; the
 * apps' Redis connections on a cluster, and their SIGTERM shutdown there, are scale.pg.test.ts's.
 *
 * Wrappers relay signals: turbo interrupts each task's process group and tsx forwards the same interrupt to
 * the node it started, so an app can get its signal twice while it is still closing. The second one must
 * not cut the graceful shutdown short. A table lock held by the test keeps a job (or a request) in flight,
 * so that the second signal lands mid-shutdown every time.
 */
const stem = `signals-${randomUUID()}`;
let db: TestDatabase;
let orm: Orm;
let tempDir: string;
let app: AppProcess | undefined;
const redis = new Redis(REDIS_URL);

beforeAll(async () => {
  db = await createTestDatabase({ state: 'migrated' });
  orm = await initOrm({ clientUrl: db.url });
  tempDir = await mkdtemp(join(tmpdir(), 'signals-test-'));
});
afterEach(() => {
  app?.kill();
  app = undefined;
});
afterAll(async () => {
  await deleteKeysWithPrefix(redis, `${stem}:`);
  await deleteKeysWithPrefix(redis, `${stem}-bull:`);
  redis.disconnect();
  await orm?.close();
  await db?.drop();
  await rm(tempDir, { recursive: true, force: true });
});

function appEnv(port: number): Record<string, string> {
  return isolatedAppEnv({ databaseUrl: db.url, stem, tempDir, port });
}

/** Holds an ACCESS EXCLUSIVE lock on `table` until `release()`; resolves once the lock is taken. */
async function lockTable(table: string): Promise<{ release(): Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked!: () => void;
  const taken = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const transaction = orm.em.fork().transactional(async (em) => {
    await em
      .getConnection()
      .execute(`lock table "${table}" in access exclusive mode`, [], 'run', em.getTransactionContext());
    locked();
    await released;
  });
  await Promise.race([taken, transaction]);
  return {
    async release() {
      release();
      await transaction;
    },
  };
}

/** True once a session of this test's database waits for the lock on `table` (other suites share the server). */
async function someoneWaitsForLock(table: string): Promise<true | undefined> {
  const rows = await orm.em.getConnection().execute<{ waiting: number }[]>(
    `select count(*)::int as waiting from pg_locks
      where not granted and relation = ?::regclass
        and database = (select oid from pg_database where datname = current_database())`,
    [table],
  );
  return (rows[0]?.waiting ?? 0) > 0 ? true : undefined;
}

function messages(process: AppProcess): string[] {
  return process.logLines().map((line) => String(line.msg));
}

function until(process: AppProcess, what: string, check: () => Promise<true | undefined> | true | undefined) {
  return pollUntil(what, async () => check(), {
    timeoutMs: START_TIMEOUT_MS,
    intervalMs: 50,
    describe: () => describeOutput(process),
  });
}

/** SIGTERM, and once the app says it is shutting down, the same signal again. */
async function terminateTwice(process: AppProcess): Promise<void> {
  process.signal('SIGTERM');
  await until(process, `${process.name} to start shutting down`, () =>
    messages(process).includes('shutting down') ? true : undefined,
  );
  process.signal('SIGTERM');
}

describe('a second signal during shutdown', () => {
  it('lets the worker finish its active job, then exit 0', async () => {
    const lock = await lockTable('verification_tokens');
    try {
      const worker = startAppProcess('worker', 'apps/worker/src/main.ts', appEnv(0));
      app = worker;
      // The cleanup job runs at start and now waits on the lock.
      await until(worker, 'the worker to start and its cleanup job to wait on the lock', async () =>
        messages(worker).includes('worker started') ? someoneWaitsForLock('verification_tokens') : undefined,
      );
      await terminateTwice(worker);
      // Give a fatal second signal time to act before the job may finish.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(worker.isRunning(), describeOutput(worker)).toBe(true);
    } finally {
      await lock.release();
    }
    const worker = app;
    expect(await worker.exited, describeOutput(worker)).toEqual({ code: 0, signal: null });
    expect(messages(worker)).toContain('job completed');
    expect(worker.logLines().find((line) => line.msg === 'worker stopped')?.outcome).toBe('drained');
  });

  it('lets the api answer its in-flight request, then exit 0', async () => {
    const port = await freePort();
    const api = startAppProcess('api', 'apps/api/src/server.ts', appEnv(port));
    app = api;
    await until(api, 'the api to be ready', async () => {
      const response = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => undefined);
      return response?.ok ? true : undefined;
    });
    const lock = await lockTable('users');
    let inFlight: Promise<number | string>;
    try {
      inFlight = fetch(`http://127.0.0.1:${port}/users/${UserIds.newSlug()}`).then(
        (response) => response.status,
        (error: Error) => `${error.message}: ${String(error.cause)}`,
      );
      await until(api, 'the profile lookup to wait on the lock', () => someoneWaitsForLock('users'));
      await terminateTwice(api);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(api.isRunning(), describeOutput(api)).toBe(true);
    } finally {
      await lock.release();
    }
    expect(await inFlight).toBe(404);
    expect(await api.exited, describeOutput(api)).toEqual({ code: 0, signal: null });
  });
});
