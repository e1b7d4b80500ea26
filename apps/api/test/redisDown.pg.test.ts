import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@org/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemTypeUri } from '../src/http/problemTypes.js';
import { expectNoLeak } from './noLeak.js';
import { OwnRedis } from './ownRedis.js';
import {
  cookieHeader,
  openTestDatabase,
  signUp,
  startTestApp,
  type TestApp,
  type TestDatabase,
} from './testApp.js';

let db: TestDatabase;
let t: TestApp;
let redis: OwnRedis;
let dir: string;

beforeAll(async () => {
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
