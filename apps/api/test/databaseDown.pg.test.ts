import { initOrm, type Orm, runMigrations, UserIds } from '@org/db';
import { createTestDatabase } from '@org/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from './tcpProxy.js';
import {
  expectProblem,
  openTestDatabase,
  signUp,
  startTestApp,
  type TestApp,
  type TestDatabase,
} from './testApp.js';

// One Redis only: PostgreSQL is what breaks here; Redis going away, on one node or a cluster, is redisDown's.
/*
 * PostgreSQL connections that break under the api: their requests answer 503 service-unavailable (with
 * Retry-After), never 500, and the api recovers by itself. The app reaches PostgreSQL through a TCP proxy the
 * test can cut; the test holds a table lock so that requests are in flight when the cut lands.
 * And a database without the migrated schema (issue 13: /ready said ready while every route failed).
 */
let db: TestDatabase;
let proxy: TcpProxy;
let proxiedOrm: Orm;
let t: TestApp;

beforeAll(async () => {
  db = await openTestDatabase();
  const url = new URL(db.url);
  proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  url.host = `127.0.0.1:${proxy.port}`;
  proxiedOrm = await initOrm({ clientUrl: url.toString() });
  t = await startTestApp({ ...db, orm: proxiedOrm });
});
afterAll(async () => {
  await t?.close();
  await proxiedOrm?.close(true);
  await proxy?.close();
  await db?.close();
});

/** Holds an ACCESS EXCLUSIVE lock on `users` (on the test's own, direct connection) until released. */
async function lockUsers(): Promise<{ release(): Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked!: () => void;
  const taken = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const transaction = db.orm.em.fork().transactional(async (em) => {
    await em.execute('lock table users in access exclusive mode', [], 'run');
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

async function waiters(): Promise<number> {
  const rows = await db.orm.em.fork().execute<{ n: number }[]>(
    `select count(*)::int as n from pg_locks
      where not granted and relation = 'users'::regclass
        and database = (select oid from pg_database where datname = current_database())`,
    [],
    'all',
  );
  return rows[0]?.n ?? 0;
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

const profile = (slug: string) => t.app.inject({ method: 'GET', url: `/users/${slug}` });

describe('when PostgreSQL connections break', () => {
  it('answers 503 for requests whose connection was cut mid-query (no SQLSTATE), then recovers', async () => {
    const { slug } = await signUp(t, `cut-${Date.now()}@example.com`);
    const lock = await lockUsers();
    let responses: Awaited<ReturnType<typeof profile>>[];
    try {
      const inFlight = Promise.all([profile(slug), profile(slug), profile(UserIds.newSlug())]);
      await until(async () => (await waiters()) === 3, 'three lookups to wait on the lock');
      proxy.cutAll();
      responses = await inFlight;
    } finally {
      await lock.release();
    }
    for (const res of responses) {
      expectProblem(res, 503, 'service-unavailable');
      expect(res.headers['retry-after']).toBe('5');
    }
    await until(async () => (await profile(slug)).statusCode === 200, 'the api to reconnect');
  });

  it('answers 200 or 503, never 500, while pg_terminate_backend kills its backends under load', async () => {
    const { slug } = await signUp(t, `terminated-${Date.now()}@example.com`);
    const statuses: number[] = [];
    const lock = await lockUsers();
    try {
      const inFlight = Promise.all(Array.from({ length: 8 }, () => profile(slug)));
      await until(async () => (await waiters()) >= 8, 'the lookups to wait on the lock');
      // Only the api's backends (they connect through the proxy), not the test's own lock holder.
      const killed = await db.orm.em.fork().execute<{ pid: number }[]>(
        `select pid from pg_stat_activity, pg_terminate_backend(pid)
          where datname = current_database() and client_port = any(?::int[])`,
        [`{${proxy.upstreamPorts().join(',')}}`],
        'all',
      );
      expect(killed.length).toBeGreaterThanOrEqual(8);
      statuses.push(...(await inFlight).map((res) => res.statusCode));
    } finally {
      await lock.release();
    }
    // The pool still holds the clients of killed backends: the next requests run into them.
    for (let round = 0; round < 5; round += 1) {
      const batch = await Promise.all(Array.from({ length: 8 }, () => profile(slug)));
      statuses.push(...batch.map((res) => res.statusCode));
    }
    expect(statuses.filter((status) => status !== 200 && status !== 503)).toEqual([]);
    expect(statuses).toContain(503);
    await until(async () => (await profile(slug)).statusCode === 200, 'the api to recover');
  });
});

describe('a database without the migrated schema', () => {
  const ready = (app: TestApp) => app.app.inject({ method: 'GET', url: '/ready' });

  async function appOn(state: 'empty' | 'legacy') {
    const created = await createTestDatabase({ state });
    const orm = await initOrm({ clientUrl: created.url });
    const app = await startTestApp({ url: created.url, orm, close: async () => {} });
    return {
      app,
      orm,
      async close() {
        await app.close();
        await orm.close(true);
        await created.drop();
      },
    };
  }

  it('empty: /ready 503 naming the schema and the command; routes that need the database 503 too', async () => {
    const { app, close } = await appOn('empty');
    try {
      const res = await ready(app);
      expectProblem(res, 503, 'service-unavailable');
      expect(res.json().detail).toBe('postgres: not migrated (run pnpm migrate), redis: ok');
      expectProblem(
        await app.app.inject({ method: 'GET', url: '/users/AbCdEfGhIjKl' }),
        503,
        'service-unavailable',
      );
    } finally {
      await close();
    }
  });

  it('legacy: /ready 503 until the migrations have run, then ready without a restart', async () => {
    const { app, orm, close } = await appOn('legacy');
    try {
      const before = await ready(app);
      expectProblem(before, 503, 'service-unavailable');
      expect(before.json().detail).toBe('postgres: not migrated (run pnpm migrate), redis: ok');
      await runMigrations(orm, {});
      const after = await ready(app);
      expect(after.statusCode).toBe(200);
      expect(after.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
    } finally {
      await close();
    }
  });
});
