import { setTimeout as sleep } from 'node:timers/promises';
import { type RateLimitRule, type RedisTarget, scanKeys } from '@org/sessions';
import { redisTopologies } from '@org/sessions/testing/vitest';
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS, type RateLimitBucket } from '../src/config.js';
import { expectProblem, type SuiteApp, useTestApp } from './testApp.js';

/*
 * The register, verify and login limits (issue 15): all count per client address (`request.ip`, which believes
 * X-Forwarded-For only as TRUST_PROXY says), login per email as well, in a fixed window that starts at the first
 * hit; POST /auth/verify-email and POST /auth/password-reset/confirm share the `verify` bucket (both consume emailed tokens).
 * Every case runs on one Redis and on a 3-master Redis Cluster (issue 14).
 */
let n = 0;
const nextEmail = () => `limits${++n}-${Date.now()}@example.com`;
const CLIENT = '203.0.113.7';
const OTHER_CLIENT = '198.51.100.9';

async function setLimits(
  t: SuiteApp,
  redisTarget: RedisTarget,
  limits: Partial<Record<RateLimitBucket, RateLimitRule>>,
): Promise<void> {
  await t.restart({ redisTarget, config: { rateLimits: { ...DEFAULT_RATE_LIMITS, ...limits } } });
}

const registerFrom = (app: SuiteApp, ip: string, email = nextEmail(), headers: Record<string, string> = {}) =>
  app.app.inject({
    method: 'POST',
    url: '/auth/register',
    payload: { email, password: 'correct horse battery' },
    remoteAddress: ip,
    headers,
  });

const verifyFrom = (app: SuiteApp, ip: string, token = 'not-a-token') =>
  app.app.inject({ method: 'POST', url: '/auth/verify-email', payload: { token }, remoteAddress: ip });

/** A 429 problem whose Retry-After (whole seconds, within the window) is also in its detail. */
function expectLimited(res: LightMyRequestResponse, windowSeconds: number): number {
  expectProblem(res, 429, 'rate-limited');
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
  expect(res.json()).toMatchObject({ detail: `Try again in ${retryAfter} seconds` });
  return retryAfter;
}

async function accountExists(t: SuiteApp, email: string): Promise<boolean> {
  const rows = await t.db.orm.em.fork().execute('select 1 from users where email = ?', [email], 'all');
  return rows.length === 1;
}

// The two topologies run side by side (each with its own database, app and prefix), the tests of each in order:
// the window's test sleeps through a window on each.
describe.concurrent.each(redisTopologies())('on $name Redis', ({ target }) => {
  const t = useTestApp({ start: { redisTarget: target } });
  const withLimits = (limits: Partial<Record<RateLimitBucket, RateLimitRule>>) =>
    setLimits(t, target, limits);

  describe('POST /auth/register', { concurrent: false }, () => {
    it('refuses the registration after the configured count from one address, before creating anything', async () => {
      await withLimits({ register: { limit: 3, windowSeconds: 3600 } });
      for (let i = 0; i < 3; i++) expect((await registerFrom(t, CLIENT)).statusCode).toBe(201);
      const email = nextEmail();
      expectLimited(await registerFrom(t, CLIENT, email), 3600);
      expect(await accountExists(t, email)).toBe(false);
      expect(await t.emailSecrets('send-verification-email')).toHaveLength(3);
    });

    it('counts per address: another client still registers; a forged X-Forwarded-For does not escape', async () => {
      await withLimits({ register: { limit: 1, windowSeconds: 3600 } });
      expect((await registerFrom(t, CLIENT)).statusCode).toBe(201);
      expectLimited(await registerFrom(t, CLIENT), 3600);
      // TRUST_PROXY is off: the header is the client's word, the socket's address is the subject.
      expectLimited(await registerFrom(t, CLIENT, nextEmail(), { 'x-forwarded-for': OTHER_CLIENT }), 3600);
      expect((await registerFrom(t, OTHER_CLIENT)).statusCode).toBe(201);
    });

    it('counts every attempt of an address, whatever its email and outcome (a 409 counts too)', async () => {
      await withLimits({ register: { limit: 2, windowSeconds: 3600 } });
      const email = nextEmail();
      expect((await registerFrom(t, CLIENT, email)).statusCode).toBe(201);
      expectProblem(await registerFrom(t, CLIENT, email), 409, 'email-taken');
      expectLimited(await registerFrom(t, CLIENT, nextEmail()), 3600);
    });
  });

  describe('POST /auth/login', { concurrent: false }, () => {
    it('refuses sign-ins after the configured count from one address, and for one email from any address', async () => {
      await withLimits({
        login: { limit: 2, windowSeconds: 60 },
        loginEmail: { limit: 3, windowSeconds: 60 },
      });
      const email = nextEmail();
      expect((await registerFrom(t, OTHER_CLIENT, email)).statusCode).toBe(201);
      const loginFrom = (ip: string, password: string) =>
        t.app.inject({ method: 'POST', url: '/auth/login', payload: { email, password }, remoteAddress: ip });
      expectProblem(await loginFrom(CLIENT, 'a wrong guess'), 401, 'invalid-credentials');
      expectProblem(await loginFrom(CLIENT, 'a wrong guess'), 401, 'invalid-credentials');
      // The address's limit comes first (its refusals do not count against the email), even for the right password.
      expectLimited(await loginFrom(CLIENT, 'correct horse battery'), 60);
      expectProblem(await loginFrom('192.0.2.1', 'a wrong guess'), 401, 'invalid-credentials');
      expectLimited(await loginFrom('192.0.2.2', 'correct horse battery'), 60);
    });
  });

  describe('POST /auth/verify-email and /auth/password-reset/confirm (the verify bucket)', {
    concurrent: false,
  }, () => {
    it('refuses token guesses after the configured count from one address, a valid token included', async () => {
      await withLimits({ verify: { limit: 3, windowSeconds: 60 } });
      const email = nextEmail();
      expect((await registerFrom(t, OTHER_CLIENT, email)).statusCode).toBe(201);
      const [secret] = await t.emailSecrets('send-verification-email');
      for (let i = 0; i < 3; i++) expectProblem(await verifyFrom(t, CLIENT), 400, 'token-invalid');
      expectLimited(await verifyFrom(t, CLIENT), 60);
      // Refused before the token is looked at: it is still unused, and works from another address.
      expectLimited(await verifyFrom(t, CLIENT, secret), 60);
      const other = await verifyFrom(t, OTHER_CLIENT, secret);
      expect(other.statusCode).toBe(200);
      expect(other.json()).toEqual({ emailVerified: true });
    });

    it('shares its count with the password-reset confirmation', async () => {
      await withLimits({ verify: { limit: 2, windowSeconds: 60 } });
      expectProblem(await verifyFrom(t, CLIENT), 400, 'token-invalid');
      expectProblem(await verifyFrom(t, CLIENT), 400, 'token-invalid');
      const confirm = await t.app.inject({
        method: 'POST',
        url: '/auth/password-reset/confirm',
        payload: { token: 'not-a-token', newPassword: 'a brand new secret' },
        remoteAddress: CLIENT,
      });
      expectLimited(confirm, 60);
    });
  });

  describe('the window', { concurrent: false }, () => {
    it('resets once it ends (Retry-After seconds later), for register and verify alike', async () => {
      const windowSeconds = 3;
      await withLimits({
        register: { limit: 1, windowSeconds },
        verify: { limit: 1, windowSeconds },
      });
      const taken = nextEmail();
      expect((await registerFrom(t, OTHER_CLIENT, taken)).statusCode).toBe(201);
      // Each window's first hit is answered at once (a taken email, a malformed token), so the second hit comes
      // well inside the window even on a loaded machine.
      expectProblem(await registerFrom(t, CLIENT, taken), 409, 'email-taken');
      expectProblem(await verifyFrom(t, CLIENT), 400, 'token-invalid');
      const waits = [
        expectLimited(await registerFrom(t, CLIENT), windowSeconds),
        expectLimited(await verifyFrom(t, CLIENT), windowSeconds),
      ];
      await sleep(Math.max(...waits) * 1000 + 100);
      expect((await registerFrom(t, CLIENT)).statusCode).toBe(201);
      expectProblem(await verifyFrom(t, CLIENT), 400, 'token-invalid');
    });

    it('keeps its counters in Redis under the api prefix, expiring with the window, with no address in the clear', async () => {
      await withLimits({
        register: { limit: 5, windowSeconds: 600 },
        verify: { limit: 5, windowSeconds: 60 },
      });
      const email = nextEmail();
      expect((await registerFrom(t, CLIENT, email)).statusCode).toBe(201);
      expectProblem(await verifyFrom(t, CLIENT), 400, 'token-invalid');
      const keys: string[] = [];
      for await (const batch of scanKeys(t.redis, `${t.prefix}*rl:*`)) keys.push(...batch);
      expect(keys.map((key) => key.replace(/:[^:]+$/, '')).sort()).toEqual([
        expect.stringMatching(/rl:register$/),
        expect.stringMatching(/rl:verify$/),
      ]);
      for (const key of keys) {
        expect(key).not.toContain(CLIENT);
        const ttl = await t.redis.pttl(key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual((key.includes('rl:register') ? 600 : 60) * 1000);
      }
    });
  });
});
