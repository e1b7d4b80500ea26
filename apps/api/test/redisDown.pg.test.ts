import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@org/cli';
import { createKeyLayout, scanKeysByNode } from '@org/sessions';
import { type RedisClusterHandle, startRedisCluster } from '@org/sessions/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemTypeUri } from '../src/http/problemTypes.js';
import { expectNoLeak } from './noLeak.js';
import { OwnRedis } from './ownRedis.js';
import {
  cookieHeader,
  login,
  openTestDatabase,
  REDIS_URL,
  signUp,
  startTestApp,
  type TestApp,
  type TestDatabase,
} from './testApp.js';

let db: TestDatabase;
let t: TestApp;
let redis: OwnRedis;
let dir: string;
let clusterStarting: Promise<RedisClusterHandle> | undefined;

beforeAll(async () => {
  // The cluster test's own cluster starts beside the one-Redis test: its nodes take a few seconds to agree.
  clusterStarting = startRedisCluster({ useEnv: false });
  clusterStarting.catch(() => {});
  dir = await mkdtemp(join(tmpdir(), 'api-redis-down-'));
  redis = new OwnRedis(await freePort(), dir);
  await redis.start();
  db = await openTestDatabase();
  t = await startTestApp(db, { redisUrl: `redis://127.0.0.1:${redis.port}` });
});
afterAll(async () => {
  await t?.close();
  await redis?.stop();
  await db?.close();
  await rm(dir, { recursive: true, force: true });
  await (await clusterStarting?.catch(() => undefined))?.stop();
});

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (await condition()) return;
    await sleep(50);
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('when Redis goes away', () => {
  it('answers session routes with 503 problems, keeps public routes up, and recovers by itself', async () => {
    const { token, slug } = await signUp(t, `down-${Date.now()}@example.com`);
    expect((await t.app.inject({ method: 'GET', url: '/me', headers: cookieHeader(token) })).statusCode).toBe(
      200,
    );

    await redis.stop();
    await until(async () => t.redis.status !== 'ready', 'the client to notice');

    for (const request of [
      { method: 'GET' as const, url: '/me', headers: cookieHeader(token) },
      { method: 'GET' as const, url: '/me/sessions', headers: cookieHeader(token) },
      { method: 'POST' as const, url: '/auth/logout', headers: cookieHeader(token) },
      {
        method: 'POST' as const,
        url: '/auth/login',
        payload: { email: 'x@example.com', password: 'whatever' },
      },
      {
        method: 'POST' as const,
        url: '/auth/register',
        payload: { email: 'y@example.com', password: 'long enough pw' },
      },
    ]) {
      const res = await t.app.inject(request);
      expect(res.statusCode, `${request.method} ${request.url}`).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ type: problemTypeUri('service-unavailable'), status: 503 });
      expect(res.headers['retry-after']).toBeDefined();
      // Redis being down must never look like "signed out": the cookie stays.
      expect(res.cookies.find((c) => c.name === '__Host-sid')).toBeUndefined();
      expect(res.body).not.toMatch(/ECONNREFUSED|ioredis|Stream|stack/i);
      expectNoLeak(`${request.method} ${request.url}`, res);
    }

    expect((await t.app.inject({ method: 'GET', url: `/users/${slug}` })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    const ready = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().detail).toBe('postgres: ok, redis: down');

    await redis.start();
    await until(
      async () => (await t.app.inject({ method: 'GET', url: '/ready' })).statusCode === 200,
      'the api to reconnect',
    );
    const me = await t.app.inject({ method: 'GET', url: '/me', headers: cookieHeader(token) });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ slug });
  });
});

/*
 * On a Redis Cluster (issue 14) a master that goes down (no replica: failover is not ours to test) takes the
 * slots it holds: the requests of a user whose session keys live there answer 503, users on the other masters
 * are still served (until cluster-node-timeout, 15 s, marks the cluster failed), and the api recovers by itself
 * once the node is back. The node restarts empty (nothing is persisted), so its users sign in again.
 * A cluster of this file's own: stopping a node of the run's shared cluster would fail the suites running
 * beside this one.
 */
describe('when one master of a Redis Cluster goes away', () => {
  let cluster: RedisClusterHandle;
  let ct: TestApp;

  beforeAll(async () => {
    if (clusterStarting === undefined) throw new Error('the cluster starts in the beforeAll of the file');
    cluster = await clusterStarting;
    // The queue stays on the one Redis (as in the test above): the outage under test is the session store's.
    ct = await startTestApp(db, {
      redisTarget: { url: REDIS_URL, clusterNodes: cluster.nodes },
      queueRedisUrl: REDIS_URL,
    });
  });
  afterAll(async () => {
    await ct?.close();
  });

  /** The master (`host:port`) that holds a user's session index, found by scanning every master. */
  async function masterOf(email: string): Promise<string> {
    const [user] = await db.orm.em
      .fork()
      .execute<{ id: string }[]>('select id from users where email = ?', [email], 'all');
    if (user === undefined) throw new Error(`no user ${email}`);
    const index = createKeyLayout(ct.prefix).userIndex(user.id);
    for await (const { node, keys } of scanKeysByNode(ct.redis, `${ct.prefix}*`)) {
      if (keys.includes(index)) return node;
    }
    throw new Error(`no master holds the session index of ${email}`);
  }

  it('answers 503 for the sessions on that master, serves the others, and recovers when it is back', async () => {
    const stem = `cluster-down-${Date.now()}`;
    const first = { email: `${stem}-0@example.com`, ...(await signUp(ct, `${stem}-0@example.com`)) };
    const down = await masterOf(first.email);
    let other: { email: string; token: string; slug: string } | undefined;
    // Each user's keys land on one of three masters: a few sign-ups find one elsewhere.
    for (let i = 1; i <= 20 && other === undefined; i += 1) {
      const email = `${stem}-${i}@example.com`;
      const user = { email, ...(await signUp(ct, email)) };
      if ((await masterOf(email)) !== down) other = user;
    }
    if (other === undefined) throw new Error('20 users all hash to one master');
    const me = (token: string) => ct.app.inject({ method: 'GET', url: '/me', headers: cookieHeader(token) });

    await cluster.stopNode(down);

    expect((await me(other.token)).statusCode).toBe(200);
    // Sent at once: on a cluster each refusal comes after ioredis has retried the command (about a second).
    const requests = [
      { method: 'GET' as const, url: '/me', headers: cookieHeader(first.token) },
      { method: 'GET' as const, url: '/me/sessions', headers: cookieHeader(first.token) },
      { method: 'POST' as const, url: '/auth/logout', headers: cookieHeader(first.token) },
      {
        method: 'POST' as const,
        url: '/auth/login',
        payload: { email: first.email, password: 'correct horse battery' },
      },
    ];
    const answers = await Promise.all(requests.map((request) => ct.app.inject(request)));
    for (const [index, res] of answers.entries()) {
      const request = requests[index]!;
      expect(res.statusCode, `${request.method} ${request.url}`).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ type: problemTypeUri('service-unavailable'), status: 503 });
      expect(res.headers['retry-after']).toBeDefined();
      expect(res.cookies.find((c) => c.name === '__Host-sid')).toBeUndefined();
      expect(res.body).not.toMatch(/ECONNREFUSED|ioredis|CLUSTERDOWN|Stream|stack/i);
      expectNoLeak(`${request.method} ${request.url}`, res);
    }
    expect((await me(other.token)).statusCode).toBe(200);
    // Ready, degraded: every master is asked (one PING would go to a node of the client's choice).
    for (let probe = 0; probe < 6; probe += 1) {
      const ready = await ct.app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode, ready.body).toBe(200);
      expect(ready.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'degraded' } });
    }

    await cluster.startNode(down);
    let again = '';
    await until(async () => {
      again = (await login(ct, first.email)).token;
      return again !== '';
    }, 'the api to reach the master again');
    const back = await me(again);
    expect(back.statusCode).toBe(200);
    expect(back.json()).toMatchObject({ slug: first.slug });
    // The restarted master came back empty: the session it held is gone, the others' are not.
    expect((await me(first.token)).statusCode).toBe(401);
    expect((await me(other.token)).statusCode).toBe(200);
    const ready = await ct.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
  });
});
