import { initOrm, runMigrations } from '@org/db';
import { createTestDatabase, SEED_PASSWORD, seedLegacyData } from '@org/db/testing';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoLeak } from './noLeak.js';
import {
  cookieHeader,
  login,
  sessionCookieOf,
  startTestApp,
  type TestApp,
  type TestDatabase,
} from './testApp.js';

// One Redis only: which identifiers a response carries is decided in the routes and PostgreSQL, not by the Redis
// topology (sessions on a cluster: sessionTopologies, auth, account).
let db: TestDatabase;
let t: TestApp;
let legacyUserUuids: string[] = [];

beforeAll(async () => {
  // A database that went through the real cutover: users keep their legacy integer ids in legacy_user_ids.
  const created = await createTestDatabase({ state: 'empty' });
  const orm = await initOrm({ clientUrl: created.url });
  await runMigrations(orm, { to: 'legacy_schema' });
  await seedLegacyData(created.url, { users: 30 });
  await runMigrations(orm, {});
  db = {
    url: created.url,
    orm,
    async close() {
      await orm.close(true);
      await created.drop();
    },
  };
  const rows = await orm.em
    .fork()
    .execute<{ user_id: string }[]>('select user_id from legacy_user_ids', [], 'all');
  legacyUserUuids = rows.map((row) => row.user_id);
  t = await startTestApp(db);
});
afterAll(async () => {
  await t?.close();
  await db?.close();
});

describe('no internal identifier leaves the api', () => {
  it('walks every route, in success and error cases', async () => {
    expect(legacyUserUuids.length).toBe(30);
    const walked = new Set<string>();
    const seen: LightMyRequestResponse[] = [];
    async function call(
      method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT',
      template: string,
      url: string,
      options: { payload?: unknown; token?: string; headers?: Record<string, string> } = {},
    ): Promise<LightMyRequestResponse> {
      const res = await t.app.inject({
        method,
        url,
        headers: { ...(options.token === undefined ? {} : cookieHeader(options.token)), ...options.headers },
        ...(options.payload === undefined ? {} : { payload: options.payload as object }),
      });
      walked.add(`${method} ${template}`);
      expectNoLeak(`${method} ${url}`, res, { schemaDocument: url === '/openapi.json' });
      seen.push(res);
      return res;
    }

    const em = db.orm.em.fork();
    const legacy = await em.execute<{ email: string; slug: string; legacy_id: number; id: string }>(
      `select u.email, u.slug, l.legacy_id, u.id from users u join legacy_user_ids l on l.user_id = u.id
       where u.is_active order by l.legacy_id limit 1`,
      [],
      'get',
    );
    const other = await em.execute<{ slug: string; id: string; legacy_id: number }>(
      `select u.slug, u.id, l.legacy_id from users u join legacy_user_ids l on l.user_id = u.id
       where u.is_active and u.id <> ? order by l.legacy_id limit 1`,
      [legacy.id],
      'get',
    );
    const takenSocial = await em.execute<{ provider: string; uid: string }>(
      'select provider, uid from social_accounts where user_id <> ? limit 1',
      [legacy.id],
      'get',
    );

    await call('GET', '/health', '/health');
    await call('GET', '/ready', '/ready');
    await call('GET', '/openapi.json', '/openapi.json');

    // Public profiles: by slug, and every way an internal id could be tried.
    expect((await call('GET', '/users/{slug}', `/users/${other.slug}`)).statusCode).toBe(200);
    for (const probe of [
      String(other.legacy_id),
      other.id,
      other.id.replaceAll('-', ''),
      'bad!',
      `${other.slug}0`,
    ]) {
      expect((await call('GET', '/users/{slug}', `/users/${encodeURIComponent(probe)}`)).statusCode).toBe(
        404,
      );
    }

    // Login as a legacy user (old PBKDF2 password), then every signed-in route.
    await call('POST', '/auth/login', '/auth/login', { payload: { email: legacy.email, password: 'wrong' } });
    await call('POST', '/auth/login', '/auth/login', { payload: { email: 42 } });
    const signedIn = await call('POST', '/auth/login', '/auth/login', {
      payload: { email: legacy.email, password: SEED_PASSWORD },
    });
    expect(signedIn.statusCode).toBe(200);
    let token = sessionCookieOf(signedIn)!;
    const second = await login(t, legacy.email, SEED_PASSWORD);

    await call('GET', '/me', '/me', { token });
    await call('GET', '/me', '/me');
    await call('GET', '/me', '/me', { headers: { cookie: `sessionid=${legacy.legacy_id}` } });
    await call('PATCH', '/me', '/me', { token, payload: { bio: 'new bio', displayName: 'Legacy User' } });
    await call('PATCH', '/me', '/me', { token, payload: { id: legacy.legacy_id } });
    const sessions = await call('GET', '/me/sessions', '/me/sessions', { token });
    const otherSession = (sessions.json().sessions as { id: string; current: boolean }[]).find(
      (s) => !s.current,
    )!;
    await call('DELETE', '/me/sessions/{sessionId}', `/me/sessions/${String(legacy.legacy_id)}`, { token });
    await call('DELETE', '/me/sessions/{sessionId}', `/me/sessions/${otherSession.id}`, { token });
    expect(second.token).not.toBe('');

    await call('GET', '/me/social-accounts', '/me/social-accounts', { token });
    await call('POST', '/me/social-accounts', '/me/social-accounts', {
      token,
      payload: { provider: 'github', uid: 'leak-walk' },
    });
    await call('POST', '/me/social-accounts', '/me/social-accounts', { token, payload: takenSocial });
    await call('POST', '/me/social-accounts', '/me/social-accounts', { token, payload: { provider: 7 } });
    await call('DELETE', '/me/social-accounts/{provider}/{uid}', '/me/social-accounts/github/leak-walk', {
      token,
    });
    await call('DELETE', '/me/social-accounts/{provider}/{uid}', '/me/social-accounts/github/leak-walk', {
      token,
    });

    await call('POST', '/me/password', '/me/password', {
      token,
      payload: { currentPassword: 'nope', newPassword: 'another long one' },
    });
    const changed = await call('POST', '/me/password', '/me/password', {
      token,
      payload: { currentPassword: SEED_PASSWORD, newPassword: 'another long one' },
    });
    token = sessionCookieOf(changed)!;

    // Registration and the email-token flows.
    const email = `walk-${Date.now()}@example.com`;
    await call('POST', '/auth/register', '/auth/register', {
      payload: { email, password: 'walk password 1' },
    });
    await call('POST', '/auth/register', '/auth/register', {
      payload: { email, password: 'walk password 1' },
    });
    await call('POST', '/auth/register', '/auth/register', { payload: { email: [], password: {} } });
    const [verification] = await t.emailSecrets('send-verification-email');
    await call('POST', '/auth/verify-email', '/auth/verify-email', { payload: { token: verification } });
    await call('POST', '/auth/verify-email', '/auth/verify-email', { payload: { token: verification } });
    await call('POST', '/auth/verify-email', '/auth/verify-email', { payload: { token: legacy.legacy_id } });
    await call('POST', '/auth/verify-email/resend', '/auth/verify-email/resend', { payload: { email } });
    await call('POST', '/auth/verify-email/resend', '/auth/verify-email/resend', { payload: { email } });
    await call('POST', '/auth/password-reset', '/auth/password-reset', { payload: { email } });
    const [reset] = await t.emailSecrets('send-password-reset');
    const confirm = { token: reset, newPassword: 'reset walk password' };
    await call('POST', '/auth/password-reset/confirm', '/auth/password-reset/confirm', { payload: confirm });
    await call('POST', '/auth/password-reset/confirm', '/auth/password-reset/confirm', { payload: confirm });

    // Account export and deletion (issue 15), as the walk's new user.
    const walker = (await login(t, email, 'reset walk password')).token;
    const requested = await call('POST', '/me/export', '/me/export', { token: walker });
    expect(requested.statusCode).toBe(202);
    const exportSlug = (requested.json() as { slug: string }).slug;
    await call('POST', '/me/export', '/me/export');
    expect(
      (await call('GET', '/me/exports/{slug}', `/me/exports/${exportSlug}`, { token: walker })).statusCode,
    ).toBe(200);
    for (const probe of [String(legacy.legacy_id), legacy.id, other.slug, 'bad!']) {
      await call('GET', '/me/exports/{slug}', `/me/exports/${encodeURIComponent(probe)}`, { token: walker });
    }
    await call('GET', '/me/exports/{slug}', `/me/exports/${exportSlug}`);
    await call('DELETE', '/me', '/me', { token: walker, payload: { password: 'not the password' } });
    await call('DELETE', '/me', '/me', { token: walker, payload: { password: 42 } });
    expect(
      (await call('DELETE', '/me', '/me', { token: walker, payload: { password: 'reset walk password' } }))
        .statusCode,
    ).toBe(202);
    const refused = await call('POST', '/auth/login', '/auth/login', {
      payload: { email, password: 'reset walk password' },
    });
    expect(refused.statusCode).toBe(403);

    // Malformed requests of every class.
    await call('POST', '/auth/login', '/auth/login', {
      payload: '{"email":',
      headers: { 'content-type': 'application/json' },
    });
    await call('POST', '/auth/register', '/auth/register', {
      payload: { email: 'x@example.com', password: 'p'.repeat(40_000) },
    });
    await call('GET', '/nothing', '/nothing');

    await call('POST', '/auth/logout', '/auth/logout', { token });
    await call('POST', '/auth/logout-all', '/auth/logout-all', { token });
    const again = await login(t, legacy.email, 'another long one');
    await call('POST', '/auth/logout-all', '/auth/logout-all', { token: again.token });

    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, object>;
    };
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.length).toBeGreaterThan(15);
    for (const operation of operations) expect(walked, operation).toContain(operation);
    expect(seen.some((res) => res.statusCode === 429)).toBe(true);
    expect(seen.some((res) => res.statusCode === 413)).toBe(true);
  });
});
