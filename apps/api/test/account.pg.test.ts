import { redisTopologies } from '@org/sessions/testing/vitest';
import { describe, expect, it } from 'vitest';
import { cookieHeader, expectProblem, login, signUp, useTestApp } from './testApp.js';

// Sessions (list, end one, end all) on one Redis and on the run's 3-master Redis Cluster (issue 14).
describe.each(redisTopologies())('on $name Redis', ({ name, target }) => {
  const t = useTestApp({ start: { redisTarget: target } });
  let n = 0;
  const nextEmail = () => `acct${++n}-${Date.now()}@example.com`;

  // Profiles and social accounts are PostgreSQL's: once, on one Redis.
  if (name === 'single') {
    describe('profile', () => {
      it('reads and updates the own profile; the public profile shows it by slug', async () => {
        const { token, slug } = await signUp(t, nextEmail());
        const patch = await t.app.inject({
          method: 'PATCH',
          url: '/me',
          headers: cookieHeader(token),
          payload: {
            firstName: 'Ada',
            displayName: 'Ada L.',
            bio: 'Analyst',
            avatarUrl: 'https://img.example/a.png',
          },
        });
        expect(patch.statusCode).toBe(200);
        expect(patch.json()).toMatchObject({
          firstName: 'Ada',
          profile: { displayName: 'Ada L.', bio: 'Analyst' },
        });

        const pub = await t.app.inject({ method: 'GET', url: `/users/${slug}` });
        expect(pub.statusCode).toBe(200);
        expect(pub.json()).toEqual({
          slug,
          displayName: 'Ada L.',
          bio: 'Analyst',
          avatarUrl: 'https://img.example/a.png',
          memberSince: expect.any(String),
        });
        expect(pub.json()).not.toHaveProperty('email');
      });

      it('rejects unknown fields and wrong types in an update', async () => {
        const { token } = await signUp(t, nextEmail());
        for (const payload of [
          { isStaff: true },
          { bio: 42 },
          { avatarUrl: 'javascript:alert(1)' },
          { firstName: 'x'.repeat(151) },
        ]) {
          expectProblem(
            await t.app.inject({ method: 'PATCH', url: '/me', headers: cookieHeader(token), payload }),
            400,
            'validation-error',
          );
        }
      });

      it('answers malformed, unknown and integer slugs with the same 404, never a redirect', async () => {
        const { slug } = await signUp(t, nextEmail());
        const bodies = [];
        for (const path of [
          '/users/123',
          '/users/AAAAAAAAAAAA',
          '/users/not-a-slug!',
          `/users/${slug}x`,
          '/users/%E0%A4%A',
        ]) {
          const res = await t.app.inject({ method: 'GET', url: path });
          expectProblem(res, 404, 'not-found');
          expect(res.headers.location).toBeUndefined();
          const { requestId: _, ...body } = res.json();
          bodies.push(body);
        }
        expect(new Set(bodies.map((b) => JSON.stringify(b)))).toEqual(new Set([JSON.stringify(bodies[0])]));
      });

      it('hides deactivated users', async () => {
        const email = nextEmail();
        const { slug } = await signUp(t, email);
        await t.db.orm.em
          .fork()
          .execute('update users set is_active = false where email = ?', [email], 'run');
        expectProblem(await t.app.inject({ method: 'GET', url: `/users/${slug}` }), 404, 'not-found');
      });
    });
  }

  describe('sessions', () => {
    it('lists sessions, ends one, and logs out everywhere', async () => {
      const email = nextEmail();
      const { token: a } = await signUp(t, email);
      const { token: b } = await login(t, email);
      const { token: c } = await login(t, email);

      const list = await t.app.inject({ method: 'GET', url: '/me/sessions', headers: cookieHeader(a) });
      expect(list.statusCode).toBe(200);
      const sessions = list.json().sessions as { id: string; current: boolean }[];
      expect(sessions).toHaveLength(3);
      expect(sessions.filter((s) => s.current)).toHaveLength(1);
      expect(JSON.stringify(list.json())).not.toContain(a);

      const victim = sessions.find((s) => !s.current)!;
      const del = await t.app.inject({
        method: 'DELETE',
        url: `/me/sessions/${victim.id}`,
        headers: cookieHeader(a),
      });
      expect(del.statusCode).toBe(204);
      expectProblem(
        await t.app.inject({ method: 'DELETE', url: `/me/sessions/${victim.id}`, headers: cookieHeader(a) }),
        404,
        'not-found',
      );
      const after = (
        await t.app.inject({ method: 'GET', url: '/me/sessions', headers: cookieHeader(a) })
      ).json();
      expect(after.sessions).toHaveLength(2);

      const all = await t.app.inject({ method: 'POST', url: '/auth/logout-all', headers: cookieHeader(a) });
      expect(all.statusCode).toBe(200);
      expect(all.json()).toEqual({ ended: 2 });
      for (const token of [a, b, c]) {
        expectProblem(
          await t.app.inject({ method: 'GET', url: '/me', headers: cookieHeader(token) }),
          401,
          'unauthenticated',
        );
      }
    });

    it("cannot end another user's session", async () => {
      const { token: mine } = await signUp(t, nextEmail());
      const { token: theirs } = await signUp(t, nextEmail());
      const [theirSession] = (
        await t.app.inject({ method: 'GET', url: '/me/sessions', headers: cookieHeader(theirs) })
      ).json().sessions;
      expectProblem(
        await t.app.inject({
          method: 'DELETE',
          url: `/me/sessions/${theirSession.id}`,
          headers: cookieHeader(mine),
        }),
        404,
        'not-found',
      );
      expect(
        (await t.app.inject({ method: 'GET', url: '/me', headers: cookieHeader(theirs) })).statusCode,
      ).toBe(200);
    });
  });

  if (name === 'single') {
    describe('social accounts', () => {
      const link = (token: string, provider: string, uid: string) =>
        t.app.inject({
          method: 'POST',
          url: '/me/social-accounts',
          headers: cookieHeader(token),
          payload: { provider, uid },
        });
      const unlink = (token: string, provider: string, uid: string) =>
        t.app.inject({
          method: 'DELETE',
          url: `/me/social-accounts/${provider}/${encodeURIComponent(uid)}`,
          headers: cookieHeader(token),
        });

      it('links, lists and unlinks; an account linked elsewhere is refused', async () => {
        const { token } = await signUp(t, nextEmail());
        const { token: other } = await signUp(t, nextEmail());
        const linked = await link(token, 'github', 'gh-ada');
        expect(linked.statusCode).toBe(201);
        expect(linked.json()).toMatchObject({ provider: 'github', uid: 'gh-ada' });
        expect((await link(token, 'github', 'gh-ada')).statusCode).toBe(200);
        expectProblem(await link(other, 'github', 'gh-ada'), 409, 'social-account-taken');
        expectProblem(await link(token, 'Not A Provider', 'x'), 400, 'validation-error');

        const list = await t.app.inject({
          method: 'GET',
          url: '/me/social-accounts',
          headers: cookieHeader(token),
        });
        expect(list.json().accounts).toHaveLength(1);

        expect((await unlink(token, 'github', 'gh-ada')).statusCode).toBe(204);
        expectProblem(await unlink(token, 'github', 'gh-ada'), 404, 'not-found');
      });

      it('never unlinks the last way to sign in', async () => {
        const email = nextEmail();
        const { token } = await signUp(t, email);
        await link(token, 'github', 'gh-1');
        await link(token, 'google', 'go-1');
        // The account has no usable password (Django's "!" marker): social logins are its only way in.
        await t.db.orm.em
          .fork()
          .execute("update users set password = '!unusable' where email = ?", [email], 'run');

        expect((await unlink(token, 'github', 'gh-1')).statusCode).toBe(204);
        expectProblem(await unlink(token, 'google', 'go-1'), 409, 'last-login-method');
        const list = await t.app.inject({
          method: 'GET',
          url: '/me/social-accounts',
          headers: cookieHeader(token),
        });
        expect(list.json().accounts.map((a: { uid: string }) => a.uid)).toEqual(['go-1']);
      });

      it('allows unlinking the only social account while a password remains', async () => {
        const { token } = await signUp(t, nextEmail());
        await link(token, 'github', 'only-one');
        expect((await unlink(token, 'github', 'only-one')).statusCode).toBe(204);
      });
    });
  }
});
