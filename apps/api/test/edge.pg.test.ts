import { redisTopologies } from '@org/sessions/testing/vitest';
import { describe, expect, it } from 'vitest';
import { MAX_PARAM_LENGTH } from '../src/app.js';
import { cookieHeader, expectProblem, register, sessionCookieOf, signUp, useTestApp } from './testApp.js';

// On one Redis and on the run's 3-master Redis Cluster (issue 14): a malformed or unknown session id must not
// become a Redis error (a slot it cannot route, a script refused) on either.
describe.each(redisTopologies())('on $name Redis', ({ name, target }) => {
  const t = useTestApp({ start: { redisTarget: target } });
  let n = 0;
  const nextEmail = () => `edge${++n}-${Date.now()}@example.com`;

  describe('session ids never yield a 500', () => {
    it('rejects an overlong session id and unknown session ids', async () => {
      const { token } = await signUp(t, nextEmail());
      for (const length of [65, 101, MAX_PARAM_LENGTH]) {
        expectProblem(
          await t.app.inject({
            method: 'DELETE',
            url: `/me/sessions/${'x'.repeat(length)}`,
            headers: cookieHeader(token),
          }),
          400,
          'validation-error',
        );
      }
      expectProblem(
        await t.app.inject({
          method: 'DELETE',
          url: `/me/sessions/${'x'.repeat(MAX_PARAM_LENGTH + 1)}`,
          headers: cookieHeader(token),
        }),
        414,
        'uri-too-long',
      );
      expectProblem(
        await t.app.inject({ method: 'DELETE', url: '/me/sessions/123', headers: cookieHeader(token) }),
        404,
        'not-found',
      );
    });

    it('requires a session on protected routes', async () => {
      for (const [method, url] of [
        ['GET', '/me'],
        ['PATCH', '/me'],
        ['GET', '/me/sessions'],
        ['POST', '/auth/logout-all'],
        ['POST', '/me/password'],
        ['GET', '/me/social-accounts'],
      ] as const) {
        expectProblem(await t.app.inject({ method, url, payload: {} }), 401, 'unauthenticated');
      }
    });
  });

  // Validation, proxies and operations are decided before Redis is asked: once, on one Redis.
  if (name === 'single') {
    describe('bad input never yields a 500', () => {
      it.each([
        ['a number for a string', { email: 42, password: 'long enough password' }],
        ['an array body', [1, 2, 3]],
        ['null fields', { email: null, password: null }],
        ['a nested object', { email: { $ne: '' }, password: 'long enough password' }],
        ['an unknown field', { email: 'a@example.com', password: 'long enough password', isStaff: true }],
        ['an invalid email', { email: 'not-an-email', password: 'long enough password' }],
        ['an overlong password', { email: 'a@example.com', password: 'x'.repeat(300) }],
      ])('rejects %s with a validation problem', async (_, payload) => {
        expectProblem(
          await t.app.inject({ method: 'POST', url: '/auth/register', payload: payload as object }),
          400,
          'validation-error',
        );
      });

      it('rejects a JSON string body with a validation problem', async () => {
        const res = await t.app.inject({
          method: 'POST',
          url: '/auth/register',
          headers: { 'content-type': 'application/json' },
          payload: '"just a string"',
        });
        expectProblem(res, 400, 'validation-error');
      });

      it('rejects invalid JSON with 400', async () => {
        const res = await t.app.inject({
          method: 'POST',
          url: '/auth/login',
          headers: { 'content-type': 'application/json' },
          payload: '{"email": "a@example.com", "password": ',
        });
        expectProblem(res, 400, 'malformed-json');
      });

      it('rejects an empty JSON body with 400', async () => {
        const res = await t.app.inject({
          method: 'POST',
          url: '/auth/login',
          headers: { 'content-type': 'application/json' },
          payload: '',
        });
        expect(res.statusCode).toBe(400);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      });

      it('rejects an oversized body with 413', async () => {
        const res = await t.app.inject({
          method: 'POST',
          url: '/auth/register',
          payload: { email: 'big@example.com', password: 'x'.repeat(20_000) },
        });
        expectProblem(res, 413, 'payload-too-large');
      });

      it('rejects an unsupported media type with 415', async () => {
        const res = await t.app.inject({
          method: 'POST',
          url: '/auth/login',
          headers: { 'content-type': 'text/xml' },
          payload: '<login/>',
        });
        expectProblem(res, 415, 'unsupported-media-type');
      });

      it('rejects prototype pollution attempts without a 500', async () => {
        const res = await t.app.inject({
          method: 'POST',
          url: '/auth/login',
          headers: { 'content-type': 'application/json' },
          payload: '{"__proto__": {"admin": true}, "email": "a@example.com", "password": "x"}',
        });
        expect(res.statusCode).toBeLessThan(500);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      });

      it('answers unknown routes and methods with a 404 problem', async () => {
        expectProblem(await t.app.inject({ method: 'GET', url: '/admin' }), 404, 'not-found');
        expectProblem(await t.app.inject({ method: 'PUT', url: '/users/abc' }), 404, 'not-found');
      });

      it('answers long path parameters with 404 or 414 problems, never a 500', async () => {
        expectProblem(
          await t.app.inject({ method: 'GET', url: `/users/${'a'.repeat(101)}` }),
          404,
          'not-found',
        );
        expectProblem(
          await t.app.inject({ method: 'GET', url: `/users/${'a'.repeat(5000)}` }),
          414,
          'uri-too-long',
        );
      });

      it('unlinks a social account whose uid is as long as linking allows, in any script', async () => {
        const { token } = await signUp(t, nextEmail());
        const uid = `${'\u{1f9ee}\u4e2d'.repeat(63)}ab`;
        expect(uid.length).toBe(191);
        const link = await t.app.inject({
          method: 'POST',
          url: '/me/social-accounts',
          headers: cookieHeader(token),
          payload: { provider: 'github', uid },
        });
        expect(link.statusCode).toBe(201);
        const unlink = await t.app.inject({
          method: 'DELETE',
          url: `/me/social-accounts/github/${encodeURIComponent(uid)}`,
          headers: cookieHeader(token),
        });
        expect(unlink.statusCode).toBe(204);
      });
    });

    describe('the client address behind proxies (TRUST_PROXY)', () => {
      /** The address the api records for a sign-in: the session list shows it. */
      async function recordedIp(remoteAddress: string, forwardedFor?: string): Promise<string> {
        const email = nextEmail();
        await register(t, email);
        const res = await t.app.inject({
          method: 'POST',
          url: '/auth/login',
          remoteAddress,
          headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
          payload: { email, password: 'correct horse battery' },
        });
        const token = sessionCookieOf(res)!;
        const list = await t.app.inject({ method: 'GET', url: '/me/sessions', headers: cookieHeader(token) });
        return (list.json() as { sessions: { ip: string }[] }).sessions[0]!.ip;
      }

      it('by default ignores X-Forwarded-For', async () => {
        expect(await recordedIp('203.0.113.10', '6.6.6.6')).toBe('203.0.113.10');
      });

      it('with one hop takes the entry its proxy appended, not a leftmost one the client wrote', async () => {
        await t.restart({ config: { trustProxy: 1 } });
        expect(await recordedIp('10.0.0.2', '6.6.6.6, 198.51.100.7')).toBe('198.51.100.7');
        expect(await recordedIp('10.0.0.2', '198.51.100.7')).toBe('198.51.100.7');
      });

      it('with two hops takes the second entry from the right', async () => {
        await t.restart({ config: { trustProxy: 2 } });
        expect(await recordedIp('10.0.0.2', '6.6.6.6, 198.51.100.7, 10.0.0.9')).toBe('198.51.100.7');
      });

      it('with proxy addresses skips them from the right and stops at the first other one', async () => {
        await t.restart({ config: { trustProxy: ['10.0.0.0/8'] } });
        expect(await recordedIp('10.0.0.2', '6.6.6.6, 198.51.100.7, 10.1.2.3')).toBe('198.51.100.7');
        // A client that is not one of the proxies cannot pass itself off as another address.
        expect(await recordedIp('203.0.113.10', '6.6.6.6')).toBe('203.0.113.10');
      });
    });

    describe('operations', () => {
      it('serves liveness and readiness', async () => {
        expect((await t.app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
        const ready = await t.app.inject({ method: 'GET', url: '/ready' });
        expect(ready.statusCode).toBe(200);
        expect(ready.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
      });

      it('serves an OpenAPI document generated from the route schemas', async () => {
        const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
        expect(res.statusCode).toBe(200);
        const doc = res.json();
        expect(doc.openapi).toMatch(/^3\./);
        expect(Object.keys(doc.paths)).toEqual(
          expect.arrayContaining([
            '/auth/register',
            '/auth/login',
            '/me',
            '/me/sessions',
            '/users/{slug}',
            '/me/social-accounts',
          ]),
        );
        const register = doc.paths['/auth/register'].post;
        expect(register.requestBody.content['application/json'].schema.properties.email).toBeDefined();
        expect(JSON.stringify(doc.paths['/users/{slug}'].get.responses['200'])).toContain('PublicProfile');
        expect(doc.paths['/openapi.json']).toBeUndefined();
        expect(doc.components.securitySchemes.session).toEqual({
          type: 'apiKey',
          in: 'cookie',
          name: '__Host-sid',
        });
        expect(doc.paths['/me'].get.security).toEqual([{ session: [] }]);
        expect(doc.paths['/me/social-accounts'].get.security).toEqual([{ session: [] }]);
        expect(doc.paths['/auth/login'].post.security).toBeUndefined();
      });

      it('sends a random request id header, never a counter or the client value', async () => {
        const a = await t.app.inject({
          method: 'GET',
          url: '/health',
          headers: { 'x-request-id': 'client-chosen' },
        });
        const b = await t.app.inject({ method: 'GET', url: '/health' });
        expect(a.headers['x-request-id']).toMatch(/^[A-Za-z0-9_-]{16}$/);
        expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
      });
    });
  }
});
