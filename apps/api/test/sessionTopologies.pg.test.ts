import { redisMasters, scanKeys } from '@org/sessions';
import { redisTopologies } from '@org/sessions/testing/vitest';
import { describe, expect, it } from 'vitest';
import { cookieHeader, expectProblem, login, type SuiteApp, signUp, useTestApp } from './testApp.js';

/*
 * One session's whole life through the api on one Redis and on a 3-master Redis Cluster (issue 14): the session
 * scripts touch a user's index and session hash in one call, which a cluster refuses (CROSSSLOT) unless both
 * carry the user's hash tag.
 */
describe.each(redisTopologies())('a session on $name Redis', ({ name, target }) => {
  const t = useTestApp({ perFile: true, start: { redisTarget: target } });

  /** The session keys (not the rate-limit counters) under the app's prefix, on every master. */
  async function sessionKeys(app: SuiteApp): Promise<string[]> {
    const keys: string[] = [];
    for await (const batch of scanKeys(app.redis, `${app.prefix}sess:v3:{*`)) keys.push(...batch);
    return [...new Set(keys)].sort();
  }

  it('signs up, signs in, reads /me, lists and ends its sessions, under one hash tag per user', async () => {
    // The app is where the topology says: three masters, or one Redis.
    expect(await redisMasters(t.redis)).toHaveLength(name === 'cluster' ? 3 : 1);
    const email = `topology-${Date.now()}-${Math.random()}@example.com`;
    const { token, slug } = await signUp(t, email);
    const { token: second } = await login(t, email);
    const me = (session: string) =>
      t.app.inject({ method: 'GET', url: '/me', headers: cookieHeader(session) });

    const read = await me(token);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ slug, email });
    const sessions = await t.app.inject({ method: 'GET', url: '/me/sessions', headers: cookieHeader(token) });
    expect(sessions.statusCode).toBe(200);
    expect(JSON.stringify(sessions.json())).not.toContain(token);

    const keys = await sessionKeys(t);
    // The user's index and its two session hashes, all in the user's slot.
    expect(keys.map((key) => key.replace(/^.*\}:(\w):.*$/, '$1')).sort()).toEqual(['s', 's', 'u']);
    expect(new Set(keys.map((key) => /\{[^}]+\}/.exec(key)?.[0])).size).toBe(1);

    const out = await t.app.inject({ method: 'POST', url: '/auth/logout', headers: cookieHeader(token) });
    expect(out.statusCode).toBe(204);
    expectProblem(await me(token), 401, 'unauthenticated');
    expect((await me(second)).statusCode).toBe(200);
    expect(await sessionKeys(t)).toHaveLength(2);
  });
});
