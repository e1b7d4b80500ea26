import { createHash } from 'node:crypto';
import { TokenIds, UserIds } from '@org/db';
import { redisTopologies } from '@org/sessions/testing/vitest';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS } from '../src/config.js';
import { cookieHeader, expectProblem, login, register, signUp, useTestApp } from './testApp.js';

// Sign-up (its queued email), sessions, rate limits and resets on one Redis and on the run's 3-master Redis
// Cluster (issue 14): each topology has its own database, app and prefixes.
describe.each(redisTopologies())('on $name Redis', ({ target }) => {
  const t = useTestApp({ start: { redisTarget: target } });
  let n = 0;
  const nextEmail = () => `user${++n}-${Date.now()}@example.com`;
  const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

  async function me(token: string) {
    return t.app.inject({ method: 'GET', url: '/me', headers: cookieHeader(token) });
  }

  describe('register and verify the email', () => {
    it('creates the account, stores only the token hash and queues the email with the raw token', async () => {
      const email = nextEmail().toUpperCase();
      const res = await register(t, email);
      expect(res.statusCode).toBe(201);
      const body = res.json();
      expect(body).toMatchObject({ email: email.toLowerCase(), emailVerified: false });
      expect(UserIds.isSlug(body.slug)).toBe(true);
      expect(Object.keys(body)).not.toContain('id');

      const [secret] = await t.emailSecrets('send-verification-email');
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const rows = await t.db.orm.em
        .fork()
        .execute('select token_hash, purpose from verification_tokens', [], 'all');
      expect(rows).toContainEqual({ token_hash: sha256(secret!), purpose: 'email_verification' });
      expect(JSON.stringify(rows)).not.toContain(secret);
    });

    it('refuses a second account for the same email in any case', async () => {
      const email = nextEmail();
      expect((await register(t, email)).statusCode).toBe(201);
      expectProblem(await register(t, email.toUpperCase()), 409, 'email-taken');
    });

    it('verifies once; a replay is "already used", an unknown token "invalid", an old one "expired"', async () => {
      const email = nextEmail();
      await register(t, email);
      const [secret] = await t.emailSecrets('send-verification-email');
      const verify = (token: string) =>
        t.app.inject({ method: 'POST', url: '/auth/verify-email', payload: { token } });

      const ok = await verify(secret!);
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toEqual({ emailVerified: true });
      const { token } = await login(t, email);
      expect((await me(token)).json()).toMatchObject({ emailVerified: true });

      expectProblem(await verify(secret!), 409, 'token-already-used');
      expectProblem(await verify('A'.repeat(43)), 400, 'token-invalid');
      expectProblem(await verify('not a token'), 400, 'token-invalid');

      const other = nextEmail();
      await register(t, other);
      const secrets = await t.emailSecrets('send-verification-email');
      const fresh = secrets.at(-1)!;
      await t.db.orm.em
        .fork()
        .execute(
          "update verification_tokens set expires_at = now() - interval '1 minute' where token_hash = ?",
          [sha256(fresh)],
          'run',
        );
      expectProblem(await verify(fresh), 410, 'token-expired');
    });

    it('resends with a cooldown, and answers the same for unknown addresses', async () => {
      const email = nextEmail();
      await register(t, email);
      const resend = (address: string) =>
        t.app.inject({ method: 'POST', url: '/auth/verify-email/resend', payload: { email: address } });

      expect((await resend(email)).statusCode).toBe(202);
      const secrets = await t.emailSecrets('send-verification-email');
      expect(secrets).toHaveLength(2);
      expect(new Set(secrets).size).toBe(2);

      const again = await resend(email);
      expectProblem(again, 429, 'rate-limited');
      expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);

      const unknown = await resend(nextEmail());
      expect(unknown.statusCode).toBe(202);
      expect(await t.emailSecrets('send-verification-email')).toHaveLength(2);
    });
  });

  describe('login and logout', () => {
    it('signs in with a hardened cookie and reads /me', async () => {
      const email = nextEmail();
      const { slug } = await signUp(t, email);
      const { res, token } = await login(t, email);
      const cookie = res.cookies.find((c) => c.name === '__Host-sid')!;
      expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect((await me(token)).json()).toMatchObject({ slug, email });
    });

    it('answers a wrong password and an unknown email alike', async () => {
      const email = nextEmail();
      await register(t, email);
      const wrong = await login(t, email, 'wrong password!');
      expectProblem(wrong.res, 401, 'invalid-credentials');
      expect(wrong.token).toBe('');
      const unknown = await login(t, nextEmail());
      expectProblem(unknown.res, 401, 'invalid-credentials');
      expect(unknown.res.json().title).toBe(wrong.res.json().title);
    });

    it('renews the session id at login: the cookie sent with the login stops working', async () => {
      const email = nextEmail();
      const { token: first } = await signUp(t, email);
      const res = await t.app.inject({
        method: 'POST',
        url: '/auth/login',
        headers: cookieHeader(first),
        payload: { email, password: 'correct horse battery' },
      });
      expect(res.statusCode).toBe(200);
      expect(res.cookies.find((c) => c.name === '__Host-sid')?.value).not.toBe(first);
      expectProblem(await me(first), 401, 'unauthenticated');
    });

    it('logs out; the replayed cookie is signed out, cleared, and never redirected', async () => {
      const { token } = await signUp(t, nextEmail());
      const out = await t.app.inject({ method: 'POST', url: '/auth/logout', headers: cookieHeader(token) });
      expect(out.statusCode).toBe(204);
      expect(out.cookies.find((c) => c.name === '__Host-sid')).toMatchObject({ value: '' });

      const replay = await me(token);
      expectProblem(replay, 401, 'unauthenticated');
      expect(replay.headers.location).toBeUndefined();
      expect(replay.cookies.find((c) => c.name === '__Host-sid')).toMatchObject({ value: '' });
    });

    it('treats an old-system cookie as signed out, clears it, and still lets the user sign in', async () => {
      const email = nextEmail();
      await register(t, email);
      for (const cookie of [
        'sessionid=abc123legacy',
        '__Host-sid=legacy-value-of-another-shape',
        `__Host-sid=${'B'.repeat(43)}`,
      ]) {
        const res = await t.app.inject({ method: 'GET', url: '/me', headers: { cookie } });
        expectProblem(res, 401, 'unauthenticated');
        expect(res.headers.location).toBeUndefined();
        expect(res.cookies.every((c) => c.value === '')).toBe(true);
        expect(res.cookies.length).toBeGreaterThan(0);
      }
      const res = await t.app.inject({
        method: 'POST',
        url: '/auth/login',
        headers: { cookie: 'sessionid=abc123legacy' },
        payload: { email, password: 'correct horse battery' },
      });
      expect(res.statusCode).toBe(200);
    });

    it('verifies a legacy Django PBKDF2 hash and upgrades it at the next login', async () => {
      const email = nextEmail();
      // pbkdf2_sha256 of "correct horse" with salt "seasalt", 1000 rounds (computed with Python's hashlib).
      const legacy = 'pbkdf2_sha256$1000$seasalt$mQnueSakb748zqBAC1tmWVZsZbi2zPGZarEzTGdfmso=';
      const em = t.db.orm.em.fork();
      const id = UserIds.newId();
      await em.execute(
        `insert into users (id, slug, email, password, first_name, last_name, is_active, is_staff, email_verified, date_joined)
       values (?, ?, ?, ?, 'Ada', 'Legacy', true, false, true, now() - interval '3 years')`,
        [id, UserIds.newSlug(), email, legacy],
        'run',
      );
      expectProblem((await login(t, email, 'wrong')).res, 401, 'invalid-credentials');
      const first = await login(t, email, 'correct horse');
      expect(first.res.statusCode).toBe(200);
      const row = await em.execute<{ password: string }>(
        'select password from users where id = ?',
        [id],
        'get',
      );
      expect(row.password).toMatch(/^scrypt\$/);
      expect((await login(t, email, 'correct horse')).res.statusCode).toBe(200);
      expectProblem((await login(t, email, 'wrong')).res, 401, 'invalid-credentials');
    });

    it('refuses deactivated users', async () => {
      const email = nextEmail();
      await register(t, email);
      await t.db.orm.em.fork().execute('update users set is_active = false where email = ?', [email], 'run');
      expectProblem((await login(t, email)).res, 401, 'invalid-credentials');
    });

    it('limits login attempts per address with Retry-After', async () => {
      await t.restart({
        config: {
          rateLimits: {
            ...DEFAULT_RATE_LIMITS,
            login: { limit: 2, windowSeconds: 60 },
          },
        },
      });
      const email = nextEmail();
      expect((await login(t, email, 'x')).res.statusCode).toBe(401);
      expect((await login(t, email, 'x')).res.statusCode).toBe(401);
      const limited = (await login(t, email, 'x')).res;
      expectProblem(limited, 429, 'rate-limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    });
    it('forgets the failed logins of an address once its owner signs in', async () => {
      await t.restart({
        config: {
          rateLimits: {
            ...DEFAULT_RATE_LIMITS,
            loginEmail: { limit: 3, windowSeconds: 60 },
          },
        },
      });
      const email = nextEmail();
      await signUp(t, email);
      for (let i = 0; i < 2; i += 1) expect((await login(t, email, 'wrong')).res.statusCode).toBe(401);
      expect((await login(t, email)).res.statusCode).toBe(200);
      for (let i = 0; i < 2; i += 1) expect((await login(t, email, 'wrong')).res.statusCode).toBe(401);
      expect((await login(t, email)).res.statusCode).toBe(200);
      for (let i = 0; i < 3; i += 1) expect((await login(t, email, 'wrong')).res.statusCode).toBe(401);
      expectProblem((await login(t, email)).res, 429, 'rate-limited');
    });
  });

  describe('passwords', () => {
    it('a password change ends every other session and renews the current one', async () => {
      const email = nextEmail();
      const { token: current } = await signUp(t, email);
      const { token: other } = await login(t, email);
      const change = (token: string, currentPassword: string) =>
        t.app.inject({
          method: 'POST',
          url: '/me/password',
          headers: cookieHeader(token),
          payload: { currentPassword, newPassword: 'a brand new secret' },
        });

      expectProblem(await change(current, 'not my password'), 403, 'wrong-password');
      expect((await me(other)).statusCode).toBe(200);

      const res = await change(current, 'correct horse battery');
      expect(res.statusCode).toBe(204);
      const renewed = res.cookies.find((c) => c.name === '__Host-sid')?.value;
      expect(renewed).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(renewed).not.toBe(current);
      expectProblem(await me(current), 401, 'unauthenticated');
      expectProblem(await me(other), 401, 'unauthenticated');
      expect((await me(renewed!)).statusCode).toBe(200);

      expectProblem((await login(t, email)).res, 401, 'invalid-credentials');
      expect((await login(t, email, 'a brand new secret')).res.statusCode).toBe(200);
    });

    it('limits guesses of the current password on a password change', async () => {
      await t.restart({
        config: {
          rateLimits: {
            ...DEFAULT_RATE_LIMITS,
            passwordChange: { limit: 2, windowSeconds: 60 },
          },
        },
      });
      const { token } = await signUp(t, nextEmail());
      const guess = () =>
        t.app.inject({
          method: 'POST',
          url: '/me/password',
          headers: cookieHeader(token),
          payload: { currentPassword: 'a guess', newPassword: 'a brand new secret' },
        });
      expectProblem(await guess(), 403, 'wrong-password');
      expectProblem(await guess(), 403, 'wrong-password');
      const limited = await guess();
      expectProblem(limited, 429, 'rate-limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    });

    it('resets a password by emailed token, ending every session; the token works once', async () => {
      const email = nextEmail();
      const { token } = await signUp(t, email);
      const request = (address: string) =>
        t.app.inject({ method: 'POST', url: '/auth/password-reset', payload: { email: address } });
      expect((await request(nextEmail())).statusCode).toBe(202);
      expect(await t.emailSecrets('send-password-reset')).toHaveLength(0);
      expect((await request(email)).statusCode).toBe(202);
      const [secret] = await t.emailSecrets('send-password-reset');

      const confirm = (tokenValue: string) =>
        t.app.inject({
          method: 'POST',
          url: '/auth/password-reset/confirm',
          payload: { token: tokenValue, newPassword: 'reset to this one' },
        });
      expect((await confirm(secret!)).statusCode).toBe(204);
      expectProblem(await me(token), 401, 'unauthenticated');
      expect((await login(t, email, 'reset to this one')).res.statusCode).toBe(200);
      expectProblem(await confirm(secret!), 409, 'token-already-used');

      const [verification] = await t.emailSecrets('send-verification-email');
      expectProblem(await confirm(verification!), 400, 'token-invalid');
    });

    describe('a reset token stops working once another is issued, one is used, or the password changes', () => {
      const reset = (email: string) =>
        t.app.inject({ method: 'POST', url: '/auth/password-reset', payload: { email } });
      const confirm = (token: string, newPassword = 'reset to this one') =>
        t.app.inject({
          method: 'POST',
          url: '/auth/password-reset/confirm',
          payload: { token, newPassword },
        });

      it('A, then B: B sets the password, A is expired before and after', async () => {
        const email = nextEmail();
        await register(t, email);
        await reset(email);
        await reset(email);
        const [a, b] = await t.emailSecrets('send-password-reset');
        expectProblem(await confirm(a!, 'set by token A'), 410, 'token-expired');
        expect((await confirm(b!)).statusCode).toBe(204);
        expectProblem(await confirm(a!, 'set by token A'), 410, 'token-expired');
        expect((await login(t, email, 'reset to this one')).res.statusCode).toBe(200);
        expectProblem((await login(t, email, 'set by token A')).res, 401, 'invalid-credentials');
      });

      it('using one token ends the others, also those issued before this rule (e.g. by the old system)', async () => {
        const email = nextEmail();
        await register(t, email);
        const em = t.db.orm.em.fork();
        const [user] = await em.execute<{ id: string }[]>(
          'select id from users where email = ?',
          [email],
          'all',
        );
        const secrets = ['C'.repeat(43), 'D'.repeat(43)];
        for (const secret of secrets) {
          await em.execute(
            `insert into verification_tokens (id, user_id, token_hash, purpose, expires_at, created_at)
           values (?, ?, ?, 'password_reset', now() + interval '1 hour', now())`,
            [TokenIds.newId(), user!.id, sha256(secret)],
            'run',
          );
        }
        expect((await confirm(secrets[0]!)).statusCode).toBe(204);
        expectProblem(await confirm(secrets[1]!, 'set by the other token'), 410, 'token-expired');
      });

      it('a token issued before POST /me/password no longer works after it', async () => {
        const email = nextEmail();
        const { token } = await signUp(t, email);
        await reset(email);
        const [before] = await t.emailSecrets('send-password-reset');
        const change = await t.app.inject({
          method: 'POST',
          url: '/me/password',
          headers: cookieHeader(token),
          payload: { currentPassword: 'correct horse battery', newPassword: 'changed while signed in' },
        });
        expect(change.statusCode).toBe(204);
        expectProblem(await confirm(before!), 410, 'token-expired');
        expect((await login(t, email, 'changed while signed in')).res.statusCode).toBe(200);
      });
    });

    it('rejects a too-short new password with a validation problem', async () => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/auth/register',
        payload: { email: nextEmail(), password: 'short' },
      });
      expectProblem(res, 400, 'validation-error');
      expect(res.json().errors[0].path).toBe('body.password');
    });
  });
});
