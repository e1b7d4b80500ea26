import { redisTopologies } from '@org/sessions/testing/vitest';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import { cookieHeader, expectProblem, sessionCookieOf, signUp, useTestApp } from './testApp.js';

// On one Redis and on the run's 3-master Redis Cluster (issue 14): on a cluster a hostile string with braces in a
// session id or a key must not move a key out of its hash tag's slot (CROSSSLOT would be a 500).
describe.each(redisTopologies())('on $name Redis', ({ name, target }) => {
  // Every test signs up its own users: one app serves the file (one per topology).
  const t = useTestApp({ perFile: true, start: { redisTarget: target } });
  let n = 0;
  const nextEmail = () => `hostile${++n}-${Date.now()}@example.com`;
  const PASSWORD = 'correct horse battery';
  /** Runs per route; HOSTILE_RUNS=1000 for a deeper local search. */
  const RUNS = Number(process.env.HOSTILE_RUNS ?? 30);

  type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
  interface Sample {
    /** Path parameters by name (the route's `{name}` placeholders). */
    params?: Record<string, string>;
    body?: Json;
    /** Signed in as a fresh user. */
    session?: boolean;
  }

  /**
   * A valid request per route that takes a body or path parameters. The property test mutates one string of it
   * (a value or an object key, at any depth) at a time, so the rest stays valid and the hostile string travels as
   * far into the route as it can. A route missing here fails the coverage test below.
   */
  function samples(): Record<string, () => Sample> {
    return {
      'POST /auth/register': () => ({
        body: { email: nextEmail(), password: PASSWORD, firstName: 'Ada', lastName: 'Lovelace' },
      }),
      'POST /auth/verify-email': () => ({ body: { token: 'A'.repeat(43) } }),
      'POST /auth/verify-email/resend': () => ({ body: { email: nextEmail() } }),
      'POST /auth/login': () => ({ body: { email: nextEmail(), password: PASSWORD } }),
      'POST /auth/password-reset': () => ({ body: { email: nextEmail() } }),
      'POST /auth/password-reset/confirm': () => ({
        body: { token: 'A'.repeat(43), newPassword: 'another long password' },
      }),
      'PATCH /me': () => ({
        session: true,
        body: {
          firstName: 'Ada',
          lastName: 'Lovelace',
          displayName: 'Countess',
          bio: 'Notes on the analytical engine',
          avatarUrl: 'https://example.com/ada.png',
        },
      }),
      'POST /me/password': () => ({
        session: true,
        body: { currentPassword: PASSWORD, newPassword: 'another long password' },
      }),
      'DELETE /me/sessions/{sessionId}': () => ({ session: true, params: { sessionId: 'abcdefghijklmnop' } }),
      'POST /me/social-accounts': () => ({
        session: true,
        body: {
          provider: 'github',
          uid: `uid-${++n}`,
          extraData: { login: 'ada', profile: { emails: ['ada@example.com'], plan: { name: 'free' } } },
        },
      }),
      'DELETE /me/social-accounts/{provider}/{uid}': () => ({
        session: true,
        params: { provider: 'github', uid: '12345' },
      }),
      'GET /users/{slug}': () => ({ params: { slug: 'AbCdEfGhIjKl' } }),
      'GET /me/exports/{slug}': () => ({ session: true, params: { slug: 'AbCdEfGhIjKlMnOpQrStUv' } }),
      'DELETE /me': () => ({ session: true, body: { password: 'not the password' } }),
    };
  }

  /** Any UTF-16 code unit (lone surrogates included), any code point, and the two PostgreSQL refuses most often. */
  const hostileUnit = fc.oneof(
    fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff', '\ud83d\ude00'),
  );
  /** Mostly short; repeated now and then, past schema limits and the router's parameter length. */
  const hostileString = fc
    .tuple(
      fc.string({ unit: hostileUnit, maxLength: 40 }),
      fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 80 })),
    )
    .map(([unit, times]) => unit.repeat(times));

  /** Every string of a JSON value (keys too), as a path and whether it is a key. */
  function stringSites(
    value: Json,
    path: (string | number)[] = [],
  ): { path: (string | number)[]; key: boolean }[] {
    if (typeof value === 'string') return [{ path, key: false }];
    if (Array.isArray(value)) return value.flatMap((item, index) => stringSites(item, [...path, index]));
    if (value !== null && typeof value === 'object') {
      return Object.entries(value).flatMap(([key, item]) => [
        { path: [...path, key], key: true },
        ...stringSites(item, [...path, key]),
      ]);
    }
    return [];
  }

  /** A copy of `value` with the string (or key) at `site` turned into `mutate(old)`. */
  function mutateAt(
    value: Json,
    site: { path: (string | number)[]; key: boolean },
    mutate: (old: string) => string,
  ): Json {
    const copy = structuredClone(value);
    const parentPath = site.path.slice(0, -1);
    const last = site.path.at(-1)!;
    let parent: Json = copy;
    for (const step of parentPath) parent = (parent as Record<string | number, Json>)[step]!;
    const container = parent as Record<string | number, Json>;
    if (site.key) {
      const renamed = mutate(String(last));
      const entries = Object.entries(container).map(([k, v]): [string, Json] => [
        k === last ? renamed : k,
        v,
      ]);
      for (const k of Object.keys(container)) delete container[k];
      Object.assign(container, Object.fromEntries(entries));
    } else {
      container[last] = mutate(container[last] as string);
    }
    return copy;
  }

  /** Percent-encodes UTF-8 bytes (encodeURIComponent throws on lone surrogates; Buffer turns them into U+FFFD). */
  function percentEncode(bytes: Uint8Array): string {
    return [...bytes].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
  }

  function expectNoServerError(route: string, request: unknown, res: LightMyRequestResponse): void {
    const context = `${route} ${JSON.stringify(request)} -> ${res.statusCode} ${res.body}`;
    expect(res.statusCode, context).toBeLessThan(500);
    if (res.statusCode >= 400)
      expect(res.headers['content-type'], context).toMatch(/^application\/problem\+json/);
  }

  describe('arbitrary unicode never yields a 5xx', () => {
    it('has a sample for every route that takes a body or path parameters', async () => {
      const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
        paths: Record<string, Record<string, { requestBody?: unknown; parameters?: { in: string }[] }>>;
      };
      const routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
        Object.entries(methods)
          .filter(
            ([, op]) => op.requestBody !== undefined || (op.parameters ?? []).some((p) => p.in === 'path'),
          )
          .map(([method]) => `${method.toUpperCase()} ${path}`),
      );
      expect(routes.length).toBeGreaterThan(5);
      expect(Object.keys(samples()).sort()).toEqual(routes.sort());
    });

    it.each(Object.keys(samples()))('%s', async (route) => {
      const [method, template] = route.split(' ') as [string, string];
      const sample = samples()[route]!;
      let password = PASSWORD;
      let token = '';
      const base = sample();
      if (base.session) {
        const email = nextEmail();
        ({ token } = await signUp(t, email, password));
      }
      const sites = [
        ...Object.keys(base.params ?? {}).map((name) => ({ kind: 'param' as const, name })),
        ...stringSites(base.body ?? null).map((site) => ({ kind: 'body' as const, site })),
      ];
      await fc.assert(
        fc.asyncProperty(
          fc.nat(),
          hostileString,
          fc.constantFrom('replace', 'insert'),
          fc.nat(),
          fc.option(fc.uint8Array({ minLength: 1, maxLength: 12 }), { freq: 4 }),
          async (siteIndex, hostile, mode, at, rawBytes) => {
            const fresh = sample();
            if (typeof fresh.body === 'object' && fresh.body !== null && !Array.isArray(fresh.body)) {
              if ('currentPassword' in fresh.body) fresh.body.currentPassword = password;
            }
            const mutate = (old: string) =>
              mode === 'replace'
                ? hostile
                : `${old.slice(0, at % (old.length + 1))}${hostile}${old.slice(at % (old.length + 1))}`;
            const site = sites[siteIndex % sites.length]!;
            const params = { ...fresh.params };
            let body = fresh.body;
            if (site.kind === 'param') params[site.name] = mutate(params[site.name]!);
            else body = mutateAt(body!, site.site, mutate);
            let url = template;
            for (const [name, value] of Object.entries(params)) {
              // Invalid UTF-8 in a percent-encoded path too, now and then.
              const encoded =
                site.kind === 'param' && site.name === name && rawBytes !== null
                  ? percentEncode(rawBytes)
                  : percentEncode(Buffer.from(value, 'utf8'));
              url = url.replace(`{${name}}`, encoded);
            }
            const headers: Record<string, string> = token === '' ? {} : cookieHeader(token);
            if (body !== undefined) headers['content-type'] = 'application/json';
            const res = await t.app.inject({
              method: method as 'GET',
              url,
              headers,
              ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
            });
            expectNoServerError(route, { url, body }, res);
            // A password change renews the session and the next sample must use the new password.
            const renewed = sessionCookieOf(res);
            if (renewed !== undefined && route === 'POST /me/password' && res.statusCode === 204) {
              token = renewed;
              password = (body as { newPassword: string }).newPassword;
            }
          },
        ),
        { numRuns: RUNS },
      );
    });
  });

  // What PostgreSQL cannot store is refused before Redis is asked: once, on one Redis.
  if (name === 'single') {
    describe('strings PostgreSQL cannot store are a 400 naming the field', () => {
      async function errorsOf(res: LightMyRequestResponse): Promise<string[]> {
        expectProblem(res, 400, 'validation-error');
        return (res.json() as { errors: { path: string }[] }).errors.map((error) => error.path);
      }

      it.each([
        ['NUL', 'A\u0000'],
        ['a lone low surrogate', 'A\udc00'],
        ['a lone high surrogate', '\ud800A'],
      ])('register refuses %s in firstName', async (_, firstName) => {
        const res = await t.app.inject({
          method: 'POST',
          url: '/auth/register',
          payload: { email: nextEmail(), password: PASSWORD, firstName },
        });
        expect(await errorsOf(res)).toEqual(['body.firstName']);
      });

      it('register takes the longest first and last names, and the profile name they make is cut to its column', async () => {
        // Each name may have 150 characters, the profile's display name too: together they would not fit.
        const firstName = `A${'\u{1f9ee}'.repeat(149)}`;
        const lastName = 'L'.repeat(150);
        const res = await t.app.inject({
          method: 'POST',
          url: '/auth/register',
          payload: { email: nextEmail(), password: PASSWORD, firstName, lastName },
        });
        expect(res.statusCode, res.body).toBe(201);
        expect(res.json()).toMatchObject({ firstName, lastName });
        const { displayName } = (res.json() as { profile: { displayName: string } }).profile;
        expect([...displayName]).toHaveLength(150);
        expect(displayName.startsWith(firstName)).toBe(true);
      });

      it('PATCH /me refuses them in bio, displayName and avatarUrl, and keeps emoji as sent', async () => {
        const { token } = await signUp(t, nextEmail());
        const patch = (payload: object) =>
          t.app.inject({ method: 'PATCH', url: '/me', headers: cookieHeader(token), payload });
        expect(await errorsOf(await patch({ bio: 'x\u0000y' }))).toEqual(['body.bio']);
        expect(await errorsOf(await patch({ displayName: '\udfff' }))).toEqual(['body.displayName']);
        expect(await errorsOf(await patch({ avatarUrl: 'https://example.com/\u0000.png' }))).toEqual([
          'body.avatarUrl',
        ]);
        expect(await errorsOf(await patch({ avatarUrl: 'https://example.com/\ud800.png' }))).toEqual([
          'body.avatarUrl',
        ]);

        const emoji = 'Ada \ud83d\ude00 \u{1f9ee} Lovelace';
        const ok = await patch({ bio: emoji, displayName: emoji });
        expect(ok.statusCode).toBe(200);
        expect(ok.json().profile).toMatchObject({ bio: emoji, displayName: emoji });
      });

      it('POST /me/social-accounts refuses them in uid and in extraData keys and values at any depth', async () => {
        const { token } = await signUp(t, nextEmail());
        const link = (payload: object) =>
          t.app.inject({ method: 'POST', url: '/me/social-accounts', headers: cookieHeader(token), payload });
        expect(await errorsOf(await link({ provider: 'github', uid: 'a\u0000' }))).toEqual(['body.uid']);
        expect(
          await errorsOf(await link({ provider: 'github', uid: '1', extraData: { k: '\udc00' } })),
        ).toEqual(['body.extraData.k']);
        expect(
          await errorsOf(await link({ provider: 'github', uid: '1', extraData: { k: 'a\u0000' } })),
        ).toEqual(['body.extraData.k']);
        expect(
          await errorsOf(await link({ provider: 'github', uid: '1', extraData: { 'k\u0000': 1 } })),
        ).toEqual(['body.extraData.k\u0000']);
        expect(
          await errorsOf(await link({ provider: 'github', uid: '1', extraData: { a: [{ b: ['\ud800'] }] } })),
        ).toEqual(['body.extraData.a.0.b.0']);
        let deep: Json = 'leaf';
        for (let i = 0; i < 40; i += 1) deep = { d: deep };
        expect(
          (await errorsOf(await link({ provider: 'github', uid: '1', extraData: deep as object }))).length,
        ).toBe(1);

        const extraData = { name: 'Ada \ud83d\ude00', nested: { list: [1, true, null, 'ok'] } };
        const ok = await link({ provider: 'github', uid: 'u\u{1f9ee}', extraData });
        expect(ok.statusCode).toBe(201);
        const rows = await t.db.orm.em
          .fork()
          .execute<{ extra_data: unknown; uid: string }[]>(
            'select extra_data, uid from social_accounts where provider = ? and uid = ?',
            ['github', 'u\u{1f9ee}'],
            'all',
          );
        expect(rows).toEqual([{ extra_data: extraData, uid: 'u\u{1f9ee}' }]);
      });
    });
  }
});
