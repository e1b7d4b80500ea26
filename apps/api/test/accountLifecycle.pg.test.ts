import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportIds } from '@org/db';
import { redisTopologies } from '@org/sessions/testing/vitest';
import { createLogger, parseEnv, type RunningWorker, startWorker } from '@org/worker/testing';
import { describe, expect, it } from 'vitest';
import { problemTypeUri } from '../src/http/problemTypes.js';
import { queryOne } from '../src/sql.js';
import { RESTORE_ACCOUNT_SQL } from '../src/users/accountDeletion.js';
import { expectNoLeak } from './noLeak.js';
import {
  cookieHeader,
  expectProblem,
  login,
  type SuiteApp,
  sessionCookieOf,
  signUp,
  testConfig,
  useTestApp,
} from './testApp.js';

// Exports and deletions go through the queue, the real worker and the session store: on one Redis and on the
// run's 3-master Redis Cluster (issue 14), the worker with the same REDIS_CLUSTER_NODES as the api.
describe.each(redisTopologies())('on $name Redis', ({ target, env: redisEnv }) => {
  const t = useTestApp({ start: { redisTarget: target } });
  let n = 0;
  const nextEmail = () => `life${++n}-${Date.now()}@example.com`;
  const PASSWORD = 'correct horse battery';
  /** Any UUIDv6 (every internal key is one), hyphenated or not. */
  const UUID_V6 = /[0-9a-f]{8}-?[0-9a-f]{4}-?6[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}/i;

  /** The real worker (`startWorker`, as main.ts runs it) on this test's database, queue and session prefix. */
  async function startTestWorker(app: SuiteApp): Promise<RunningWorker> {
    const mailDir = await mkdtemp(join(tmpdir(), 'api-lifecycle-mail-'));
    const env = parseEnv({
      ...redisEnv,
      DATABASE_URL: app.db.url,
      QUEUE_PREFIX: app.jobs.queue.opts.prefix,
      REDIS_KEY_PREFIX: app.prefix,
      MAIL_DIR: mailDir,
      SHUTDOWN_TIMEOUT_MS: '5000',
    });
    const running = await startWorker(env, createLogger('silent'));
    return {
      ...running,
      async stop() {
        const outcome = await running.stop();
        await rm(mailDir, { recursive: true, force: true });
        return outcome;
      },
    };
  }

  /** Runs a scheduler's job now (its first tick ran when the worker started) and waits for it. */
  async function runJob(app: SuiteApp, name: 'remove-expired-exports' | 'delete-accounts-past-grace') {
    const { id } = await app.jobs.enqueue(name, {});
    const deadline = Date.now() + 20_000;
    for (;;) {
      const state = await app.jobs.queue.getJobState(id);
      if (state === 'completed') return;
      if (state === 'failed' || Date.now() > deadline) throw new Error(`${name} ended ${state}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function userRow(app: SuiteApp, email: string) {
    return queryOne<{ id: string; slug: string; password: string; is_active: boolean }>(
      app.db.orm.em.fork(),
      'select id, slug, password, is_active from users where email = ?',
      [email],
    );
  }

  async function exportJobs(app: SuiteApp) {
    const jobs = await app.jobs.queue.getJobs(['waiting', 'active', 'completed']);
    return jobs.filter((job) => job.name === 'export-user-data');
  }

  function get(app: SuiteApp, url: string, token?: string) {
    return app.app.inject({ method: 'GET', url, headers: token === undefined ? {} : cookieHeader(token) });
  }

  describe('POST /me/export and GET /me/exports/{slug}', () => {
    it('end to end: queued, built by the worker, fetched by its owner without any internal field, gone after expiry, removed', async () => {
      const email = nextEmail();
      const { token, slug: userSlug } = await signUp(t, email);
      const other = await login(t, email);
      await t.app.inject({
        method: 'PATCH',
        url: '/me',
        headers: cookieHeader(token),
        payload: { displayName: 'Ada L.', bio: 'Analyst' },
      });
      await t.app.inject({
        method: 'POST',
        url: '/me/social-accounts',
        headers: cookieHeader(token),
        payload: { provider: 'github', uid: 'ada-gh', extraData: { login: 'ada', access_token: 'gho_leak' } },
      });

      const requested = await t.app.inject({
        method: 'POST',
        url: '/me/export',
        headers: cookieHeader(token),
      });
      expect(requested.statusCode).toBe(202);
      const accepted = requested.json() as { slug: string; status: string; href: string; expiresAt: string };
      expect(accepted).toEqual({
        slug: expect.any(String),
        status: 'pending',
        href: `/me/exports/${accepted.slug}`,
        expiresAt: expect.any(String),
      });
      expect(ExportIds.isSlug(accepted.slug)).toBe(true);
      expectNoLeak('POST /me/export', requested);
      const user = await userRow(t, email);
      if (user === null) throw new Error('the user is missing');
      expect((await exportJobs(t)).map((job) => job.data)).toEqual([
        { userId: user.id, exportId: expect.any(String) },
      ]);
      const pending = await get(t, accepted.href, token);
      expect(pending.statusCode).toBe(200);
      expect(pending.json()).toMatchObject({ slug: accepted.slug, status: 'pending' });

      const worker = await startTestWorker(t);
      try {
        let ready = pending;
        const deadline = Date.now() + 20_000;
        while ((ready.json() as { status: string }).status !== 'ready' && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          ready = await get(t, accepted.href, token);
        }
        expect(ready.statusCode).toBe(200);
        expect(ready.headers['cache-control']).toBe('no-store');
        expectNoLeak('GET /me/exports/{slug}', ready);
        const body = ready.json() as {
          status: string;
          archive: {
            account: Record<string, unknown>;
            profile: Record<string, unknown>;
            socialAccounts: Record<string, unknown>[];
            sessions: Record<string, unknown>[];
          };
        };
        expect(body.status).toBe('ready');
        expect(body.archive.account).toMatchObject({ slug: userSlug, email });
        expect(body.archive.profile).toMatchObject({ displayName: 'Ada L.', bio: 'Analyst' });
        expect(body.archive.socialAccounts).toEqual([
          expect.objectContaining({ provider: 'github', uid: 'ada-gh', extraData: { login: 'ada' } }),
        ]);
        expect(body.archive.sessions).toHaveLength(2);
        expect(body.archive.sessions[0]).toEqual({
          createdAt: expect.any(String),
          lastSeenAt: expect.any(String),
          expiresAt: expect.any(String),
          userAgent: 'lightMyRequest',
          ip: '127.0.0.1',
        });

        const sessionIds = (
          (await get(t, '/me/sessions', token)).json() as { sessions: { id: string }[] }
        ).sessions.map((session) => session.id);
        expect(sessionIds).toHaveLength(2);
        const forbidden = [user.id, user.password, token, other.token, 'gho_leak', ...sessionIds];
        for (const value of forbidden) expect(ready.body).not.toContain(value);
        expect(ready.body).not.toMatch(UUID_V6);
        expect(ready.body).not.toMatch(/password|hash|legacy/i);

        // The lifetime ends (moved into the past: tests do not wait for clocks).
        await t.db.orm.em
          .fork()
          .execute(`update user_exports set expires_at = now() - interval '1 second' where slug = ?`, [
            accepted.slug,
          ]);
        expectProblem(await get(t, accepted.href, token), 410, 'export-expired');
        await runJob(t, 'remove-expired-exports');
        expectProblem(await get(t, accepted.href, token), 404, 'not-found');
        const left = await queryOne<{ n: string }>(
          t.db.orm.em.fork(),
          'select count(*) as n from user_exports where slug = ?',
          [accepted.slug],
        );
        expect(Number(left?.n)).toBe(0);
      } finally {
        await worker.stop();
      }
    });

    it("answers another user's slug exactly like an unknown one", async () => {
      const owner = await signUp(t, nextEmail());
      const stranger = await signUp(t, nextEmail());
      const requested = await t.app.inject({
        method: 'POST',
        url: '/me/export',
        headers: cookieHeader(owner.token),
      });
      const { slug } = requested.json() as { slug: string };
      const answers = [];
      for (const probe of [slug, ExportIds.newSlug(), 'not-a-slug', userSlugLike(owner.slug)]) {
        const res = await get(t, `/me/exports/${probe}`, stranger.token);
        expectProblem(res, 404, 'not-found');
        const { requestId: _requestId, ...problem } = res.json() as Record<string, unknown>;
        answers.push(problem);
      }
      expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
      expect((await get(t, `/me/exports/${slug}`, owner.token)).statusCode).toBe(200);
    });

    it('refuses anonymous requests before reading anything', async () => {
      const owner = await signUp(t, nextEmail());
      const { slug } = (
        await t.app.inject({ method: 'POST', url: '/me/export', headers: cookieHeader(owner.token) })
      ).json() as { slug: string };
      expectProblem(await t.app.inject({ method: 'POST', url: '/me/export' }), 401, 'unauthenticated');
      expectProblem(await get(t, `/me/exports/${slug}`), 401, 'unauthenticated');
      expect(await exportJobs(t)).toHaveLength(1);
    });

    it('limits export requests per user', async () => {
      await t.restart({
        config: { rateLimits: { ...testConfig('').rateLimits, export: { limit: 2, windowSeconds: 3600 } } },
      });
      const busy = await signUp(t, nextEmail());
      const calm = await signUp(t, nextEmail());
      const post = (token: string) =>
        t.app.inject({ method: 'POST', url: '/me/export', headers: cookieHeader(token) });
      expect((await post(busy.token)).statusCode).toBe(202);
      expect((await post(busy.token)).statusCode).toBe(202);
      const limited = await post(busy.token);
      expectProblem(limited, 429, 'rate-limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect((await post(calm.token)).statusCode).toBe(202);
      const exports = await queryOne<{ n: string }>(
        t.db.orm.em.fork(),
        'select count(*) as n from user_exports e join users u on u.id = e.user_id where u.slug = ?',
        [busy.slug],
      );
      expect(Number(exports?.n)).toBe(2);
    });
  });

  /** A string of an export slug's length made of a user slug: still someone else's nothing. */
  function userSlugLike(slug: string): string {
    return slug.padEnd(ExportIds.slugLength, 'A');
  }

  describe('DELETE /me', () => {
    it('refuses a wrong password with 403 and changes nothing', async () => {
      const email = nextEmail();
      const { token } = await signUp(t, email);
      const res = await t.app.inject({
        method: 'DELETE',
        url: '/me',
        headers: cookieHeader(token),
        payload: { password: 'not my password' },
      });
      expectProblem(res, 403, 'wrong-password');
      expect((await userRow(t, email))?.is_active).toBe(true);
      expect((await get(t, '/me', token)).statusCode).toBe(200);
    });

    it('refuses anonymous requests', async () => {
      expectProblem(
        await t.app.inject({ method: 'DELETE', url: '/me', payload: { password: PASSWORD } }),
        401,
        'unauthenticated',
      );
    });

    it('is rate-limited per user like a login, even with the right password after the limit', async () => {
      await t.restart({
        config: {
          rateLimits: { ...testConfig('').rateLimits, accountDeletion: { limit: 2, windowSeconds: 900 } },
        },
      });
      const email = nextEmail();
      const { token } = await signUp(t, email);
      const attempt = (password: string) =>
        t.app.inject({ method: 'DELETE', url: '/me', headers: cookieHeader(token), payload: { password } });
      expectProblem(await attempt('guess one'), 403, 'wrong-password');
      expectProblem(await attempt('guess two'), 403, 'wrong-password');
      const limited = await attempt(PASSWORD);
      expectProblem(limited, 429, 'rate-limited');
      expect(limited.headers['retry-after']).toBeDefined();
      expect((await userRow(t, email))?.is_active).toBe(true);
    });

    it('deactivates at once, ends every session, and refuses sign-in and password reset during the grace period', async () => {
      const email = nextEmail();
      const { token, slug } = await signUp(t, email);
      const second = await login(t, email);
      await t.app.inject({ method: 'POST', url: '/auth/password-reset', payload: { email } });
      const [resetToken] = await t.emailSecrets('send-password-reset');

      const res = await t.app.inject({
        method: 'DELETE',
        url: '/me',
        headers: cookieHeader(token),
        payload: { password: PASSWORD },
      });
      expect(res.statusCode).toBe(202);
      expect(res.json()).toEqual({ status: 'scheduled', deleteAfter: expect.any(String) });
      expectNoLeak('DELETE /me', res);
      expect(sessionCookieOf(res)).toBeUndefined();
      const user = await userRow(t, email);
      expect(user?.is_active).toBe(false);
      const grace = await queryOne<{ seconds: number; delete_after: Date }>(
        t.db.orm.em.fork(),
        'select extract(epoch from delete_after - requested_at)::int as seconds, delete_after from account_deletions where user_id = ?',
        [user?.id],
      );
      expect(grace?.seconds).toBe(30 * 86_400);
      expect(new Date((res.json() as { deleteAfter: string }).deleteAfter).getTime()).toBe(
        new Date(grace?.delete_after ?? 0).getTime(),
      );

      for (const session of [token, second.token]) {
        expectProblem(await get(t, '/me/sessions', session), 401, 'unauthenticated');
      }
      const purge = (await t.jobs.queue.getJobs(['delayed'])).find(
        (job) => job.name === 'purge-user-sessions',
      );
      expect(purge?.data).toEqual({ userId: user?.id });

      const signIn = await t.app.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { email, password: PASSWORD },
      });
      expectProblem(signIn, 403, 'account-pending-deletion');
      expect(signIn.json().detail).toContain((res.json() as { deleteAfter: string }).deleteAfter);
      expect(sessionCookieOf(signIn)).toBeUndefined();
      // Without the password nothing tells the account apart from any other failed sign-in.
      expectProblem(
        await t.app.inject({ method: 'POST', url: '/auth/login', payload: { email, password: 'wrong one' } }),
        401,
        'invalid-credentials',
      );
      const reset = await t.app.inject({
        method: 'POST',
        url: '/auth/password-reset/confirm',
        payload: { token: resetToken, newPassword: 'a brand new password' },
      });
      expectProblem(reset, 403, 'account-pending-deletion');
      expect((await get(t, `/users/${slug}`)).statusCode).toBe(404);
    });

    it('an operator restores the account within the grace period with the documented SQL, and not after it', async () => {
      const email = nextEmail();
      const { token, slug } = await signUp(t, email);
      await t.app.inject({
        method: 'DELETE',
        url: '/me',
        headers: cookieHeader(token),
        payload: { password: PASSWORD },
      });
      expectProblem(
        await t.app.inject({ method: 'POST', url: '/auth/login', payload: { email, password: PASSWORD } }),
        403,
        'account-pending-deletion',
      );

      const em = t.db.orm.em.fork();
      expect(await em.execute(RESTORE_ACCOUNT_SQL, [slug], 'all')).toEqual([{ slug }]);
      expect(await em.execute(RESTORE_ACCOUNT_SQL, [slug], 'all')).toEqual([]);
      const back = await login(t, email);
      expect(back.res.statusCode).toBe(200);
      expect((await get(t, '/me', back.token)).json()).toMatchObject({ slug, email });

      await t.app.inject({
        method: 'DELETE',
        url: '/me',
        headers: cookieHeader(back.token),
        payload: { password: PASSWORD },
      });
      await em.execute(
        `update account_deletions set delete_after = now() - interval '1 second'
       where user_id = (select id from users where slug = ?)`,
        [slug],
      );
      expect(await em.execute(RESTORE_ACCOUNT_SQL, [slug], 'all')).toEqual([]);
      expect((await userRow(t, email))?.is_active).toBe(false);
    });

    it('end to end: the worker deletes the account after its grace period, with everything that cascades', async () => {
      const email = nextEmail();
      const { token } = await signUp(t, email);
      await t.app.inject({
        method: 'POST',
        url: '/me/social-accounts',
        headers: cookieHeader(token),
        payload: { provider: 'github', uid: `gone-${n}` },
      });
      await t.app.inject({ method: 'POST', url: '/me/export', headers: cookieHeader(token) });
      const kept = await signUp(t, nextEmail());
      const deleted = await t.app.inject({
        method: 'DELETE',
        url: '/me',
        headers: cookieHeader(token),
        payload: { password: PASSWORD },
      });
      expect(deleted.statusCode).toBe(202);
      const user = await userRow(t, email);
      const counts = async () =>
        queryOne<Record<string, number>>(
          t.db.orm.em.fork(),
          `select (select count(*)::int from users where id = ?) as users,
                (select count(*)::int from user_profiles where user_id = ?) as profiles,
                (select count(*)::int from verification_tokens where user_id = ?) as tokens,
                (select count(*)::int from social_accounts where user_id = ?) as social,
                (select count(*)::int from user_exports where user_id = ?) as exports,
                (select count(*)::int from account_deletions where user_id = ?) as deletions`,
          Array(6).fill(user?.id),
        );
      expect(await counts()).toEqual({
        users: 1,
        profiles: 1,
        tokens: 1,
        social: 1,
        exports: 1,
        deletions: 1,
      });

      const worker = await startTestWorker(t);
      try {
        // Within the grace period the scheduler's run leaves it alone.
        await runJob(t, 'delete-accounts-past-grace');
        expect((await counts())?.users).toBe(1);
        await t.db.orm.em
          .fork()
          .execute(
            `update account_deletions set delete_after = now() - interval '1 second' where user_id = ?`,
            [user?.id],
          );
        await runJob(t, 'delete-accounts-past-grace');
      } finally {
        await worker.stop();
      }
      expect(await counts()).toEqual({
        users: 0,
        profiles: 0,
        tokens: 0,
        social: 0,
        exports: 0,
        deletions: 0,
      });
      const signIn = await t.app.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { email, password: PASSWORD },
      });
      expect(signIn.json()).toMatchObject({ type: problemTypeUri('invalid-credentials') });
      expect((await get(t, '/me', kept.token)).statusCode).toBe(200);
    });
  });

  it('documents both routes in OpenAPI, behind the session cookie', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>>;
    };
    for (const [path, method, status] of [
      ['/me/export', 'post', '202'],
      ['/me/exports/{slug}', 'get', '200'],
      ['/me', 'delete', '202'],
    ] as const) {
      const operation = doc.paths[path]?.[method];
      expect(operation?.security, `${method} ${path}`).toEqual([{ session: [] }]);
      expect(Object.keys(operation?.responses ?? {}), `${method} ${path}`).toContain(status);
    }
    expect(JSON.stringify(doc.paths['/me/exports/{slug}']?.get?.responses['410'])).toContain('Problem');
  });
});
