import { randomBytes, randomUUID } from 'node:crypto';
import { startMetricsServer } from '@org/metrics';
import { labelValues, parseSamples, type Sample, sampleValue } from '@org/metrics/testing';
import { redisTopologies } from '@org/sessions/testing/vitest';
import { describe, expect, it } from 'vitest';
import { UNMATCHED_ROUTE } from '../src/metrics/observeHttpRequests.js';
import { cookieHeader, expectProblem, login, signUp, testConfig, useTestApp } from './testApp.js';

// The session and rate-limit counters come from Redis-backed stores: on one Redis and on the run's 3-master
// Redis Cluster (issue 14).
describe.each(redisTopologies())('on $name Redis', ({ target }) => {
  const t = useTestApp({ start: { redisTarget: target } });
  const email = () => `metrics-${randomUUID()}@example.test`;

  /** Scrapes the app's registry through a real metrics listener, as Prometheus would. */
  async function scrape(): Promise<Sample[]> {
    const server = await startMetricsServer(t.app.metrics.registry, { host: '127.0.0.1', port: 0 });
    try {
      const res = await fetch(server.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      return parseSamples(await res.text());
    } finally {
      await server.close();
    }
  }

  describe('http metrics', () => {
    it('counts and times requests by method, route pattern and status on a listener of its own', async () => {
      const { token, slug } = await signUp(t, email());
      expect((await t.app.inject({ method: 'GET', url: `/users/${slug}` })).statusCode).toBe(200);
      expectProblem(await t.app.inject({ method: 'GET', url: '/users/AAAAAAAAAAAA' }), 404, 'not-found');
      expect(
        (await t.app.inject({ method: 'GET', url: '/me', headers: cookieHeader(token) })).statusCode,
      ).toBe(200);
      // The public port has no /metrics.
      expectProblem(await t.app.inject({ method: 'GET', url: '/metrics' }), 404, 'not-found');

      const samples = await scrape();
      const requests = (route: string, method: string, status: string) =>
        sampleValue(samples, 'http_requests_total', { route, method, status });
      expect(requests('/auth/register', 'POST', '201')).toBe(1);
      expect(requests('/auth/login', 'POST', '200')).toBe(1);
      expect(requests('/users/:slug', 'GET', '200')).toBe(1);
      expect(requests('/users/:slug', 'GET', '404')).toBe(1);
      expect(requests('/me', 'GET', '200')).toBe(1);
      expect(requests(UNMATCHED_ROUTE, 'GET', '404')).toBe(1);
      expect(sampleValue(samples, 'http_requests_total')).toBe(6);
      expect(
        sampleValue(samples, 'http_request_duration_seconds_count', { route: '/users/:slug', status: '200' }),
      ).toBe(1);
      expect(
        sampleValue(samples, 'http_request_duration_seconds_bucket', {
          route: '/users/:slug',
          status: '200',
          le: '+Inf',
        }),
      ).toBe(1);
      expect(labelValues(samples, 'http_requests_total', 'route')).not.toContain(`/users/${slug}`);
    });

    it('gives unknown and hostile URLs no label values of their own', async () => {
      const urls = [
        `/${randomUUID()}`,
        `/users/${randomBytes(6).toString('hex')}/extra`,
        '/..%2f..%2fetc%2fpasswd',
        '/users/%E0%A4%A',
        `/users/${'a'.repeat(3000)}`,
        `/users/${randomBytes(9).toString('base64url')}`,
        `/users/not-a-slug-${randomUUID()}`,
        `/?q=${randomUUID()}`,
        `/metrics?${randomUUID()}`,
        `/%00${randomUUID()}`,
      ];
      const sessionIds = [randomUUID(), '%F0%9F%92%A9'.repeat(50), randomBytes(12).toString('base64url')];
      const requests = [
        ...urls.map((url) => ({ method: 'GET' as const, url })),
        ...sessionIds.map((id) => ({ method: 'DELETE' as const, url: `/me/sessions/${id}` })),
        { method: 'PROPFIND' as const, url: '/me' },
      ];
      for (const request of requests) {
        const res = await t.app.inject(request);
        expect(res.statusCode, request.url).toBeGreaterThanOrEqual(400);
      }

      const samples = await scrape();
      expect(labelValues(samples, 'http_requests_total', 'route')).toEqual(
        ['/me/sessions/:sessionId', '/users/:slug', UNMATCHED_ROUTE].sort(),
      );
      expect(labelValues(samples, 'http_requests_total', 'method')).toEqual(['DELETE', 'GET', 'OTHER']);
      expect(sampleValue(samples, 'http_requests_total', { route: '/me/sessions/:sessionId' })).toBe(3);
      // The router refuses these two before routing (Fastify runs no hooks for them): still counted.
      expect(sampleValue(samples, 'http_requests_total', { route: UNMATCHED_ROUTE, status: '414' })).toBe(1);
      expect(sampleValue(samples, 'http_requests_total')).toBe(requests.length);
    });
  });

  describe('session and rate-limit metrics', () => {
    it('counts sessions created, authenticated, rejected, rotated and revoked', async () => {
      const address = email();
      const { token } = await signUp(t, address);
      const me = (cookie: string) =>
        t.app.inject({ method: 'GET', url: '/me', headers: cookieHeader(cookie) });
      expect((await me(token)).statusCode).toBe(200);
      expect((await me('A'.repeat(43))).statusCode).toBe(401);
      expect(
        (await t.app.inject({ method: 'POST', url: '/auth/logout', headers: cookieHeader(token) }))
          .statusCode,
      ).toBe(204);
      expect((await me(token)).statusCode).toBe(401);

      const second = await login(t, address);
      const third = await login(t, address);
      const ended = await t.app.inject({
        method: 'POST',
        url: '/auth/logout-all',
        headers: cookieHeader(third.token),
      });
      expect(ended.json()).toEqual({ ended: 2 });

      expect(second.token).not.toBe('');
      // A password change ends the other sessions (none left) and rotates this one.
      const fourth = await login(t, address);
      const changed = await t.app.inject({
        method: 'POST',
        url: '/me/password',
        headers: cookieHeader(fourth.token),
        payload: { currentPassword: 'correct horse battery', newPassword: 'a new horse battery' },
      });
      expect(changed.statusCode).toBe(204);

      const samples = await scrape();
      const outcome = (name: string) => sampleValue(samples, 'api_sessions_total', { outcome: name });
      expect(outcome('created')).toBe(4);
      expect(outcome('rotated')).toBe(1);
      // GET /me, the logout, the logout-all and the password change each authenticated their cookie.
      expect(outcome('authenticated')).toBe(4);
      // An unknown token and a logged-out one (an expired one: the next test).
      expect(outcome('rejected')).toBe(2);
      expect(outcome('revoked')).toBe(3);
    });

    it('counts a session past its idle lifetime as rejected', async () => {
      // The session store's clock: the Redis key is still there, only the session's own expiry has passed.
      let clock = Date.now();
      await t.restart({ now: () => clock });
      const { token } = await signUp(t, email());
      const me = () => t.app.inject({ method: 'GET', url: '/me', headers: cookieHeader(token) });
      expect((await me()).statusCode).toBe(200);
      clock += testConfig(t.prefix).session.idleTtlSeconds * 1000 + 1;
      expectProblem(await me(), 401, 'unauthenticated');

      const samples = await scrape();
      const outcome = (name: string) => sampleValue(samples, 'api_sessions_total', { outcome: name });
      expect(outcome('created')).toBe(1);
      expect(outcome('authenticated')).toBe(1);
      expect(outcome('rejected')).toBe(1);
    });

    it('counts rate-limit decisions by limiter and outcome', async () => {
      const address = email();
      const resend = () =>
        t.app.inject({ method: 'POST', url: '/auth/verify-email/resend', payload: { email: address } });
      expect((await resend()).statusCode).toBe(202);
      expectProblem(await resend(), 429, 'rate-limited');
      await t.app.background.idle();

      const samples = await scrape();
      const decisions = (limiter: string, outcome: string) =>
        sampleValue(samples, 'api_rate_limit_decisions_total', { limiter, outcome });
      expect(decisions('resend', 'allowed')).toBe(2);
      expect(decisions('resend', 'limited')).toBe(0);
      expect(decisions('resendCooldown', 'allowed')).toBe(1);
      expect(decisions('resendCooldown', 'limited')).toBe(1);
    });
  });
});
