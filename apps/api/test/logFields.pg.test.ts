import type { LightMyRequestResponse } from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { cookieHeader, login, register, sessionCookieOf, useTestApp } from './testApp.js';

// One Redis only: which fields a line carries and what is redacted is the logger's work; the userId taken from
// a session on a cluster is checked by logs.pg.test.ts.
/*
 * The request logs (issue 15): each documented field of every request's lines, and that no secret reaches any
 * line at the level that shows the most (trace): passwords, session tokens, emailed tokens (in a body or in the
 * link page's query string), stored hashes, legacy integer ids, and internal UUIDs anywhere but in the fields
 * that name them for operators (README: `userId` on a signed-in request's lines; `tokenId` and `jobId` on the
 * enqueue line, which tie it to the worker's job). The logger is configured as server.ts configures it (its
 * redact list), writing every line here.
 */
const t = useTestApp({ perFile: true, start: { logger: captureLogger() } });

type Line = Record<string, unknown>;
const lines: Line[] = [];

function captureLogger() {
  return {
    level: 'trace',
    redact: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'],
    stream: { write: (line: string) => void lines.push(JSON.parse(line) as Line) },
  };
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const LEGACY_ID = 7_340_021;
const email = `log-fields-${Date.now()}@example.com`;
const passwords = ['first correct horse', 'second correct horse', 'third correct horse', 'a wrong guess'];
const secrets = new Map<string, string>();
let userId: string;
let slug: string;
const requests: { what: string; res: LightMyRequestResponse; signedIn: boolean }[] = [];

const linesOf = (res: LightMyRequestResponse) =>
  lines.filter((line) => line.reqId === res.headers['x-request-id']);

function track(what: string, res: LightMyRequestResponse, signedIn = false): LightMyRequestResponse {
  requests.push({ what, res, signedIn });
  return res;
}

beforeAll(async () => {
  const [first, second, third, wrong] = passwords as [string, string, string, string];
  const reg = track('register', await register(t, email, first));
  expect(reg.statusCode).toBe(201);
  slug = (reg.json() as { slug: string }).slug;
  const db = t.db.orm.em.fork();
  userId = (await db.execute<{ id: string }[]>('select id from users where email = ?', [email], 'all'))[0]!
    .id;
  // The account as the cutover leaves it: its old integer id mapped to its UUID.
  await db.execute(
    'insert into legacy_user_ids (legacy_id, user_id) values (?, ?)',
    [LEGACY_ID, userId],
    'run',
  );

  const [verification] = await t.emailSecrets('send-verification-email');
  secrets.set('verification token', verification!);
  track('link page', await t.app.inject({ method: 'GET', url: `/verify-email?token=${verification}` }));
  const verified = track(
    'verify',
    await t.app.inject({ method: 'POST', url: '/auth/verify-email', payload: { token: verification } }),
  );
  expect(verified.statusCode).toBe(200);

  const signIn = await login(t, email, first);
  track('login', signIn.res);
  secrets.set('session token 1', signIn.token);
  const session = cookieHeader(signIn.token);
  expect(
    track('me', await t.app.inject({ method: 'GET', url: '/me', headers: session }), true).statusCode,
  ).toBe(200);
  track(
    'patch me',
    await t.app.inject({ method: 'PATCH', url: '/me', headers: session, payload: { bio: 'hi' } }),
    true,
  );
  track(
    'validation error',
    await t.app.inject({
      method: 'POST',
      url: '/me/password',
      headers: session,
      payload: { currentPassword: first, newPassword: second, extra: first },
    }),
    true,
  );
  const change = track(
    'password change',
    await t.app.inject({
      method: 'POST',
      url: '/me/password',
      headers: session,
      payload: { currentPassword: first, newPassword: second },
    }),
    true,
  );
  expect(change.statusCode).toBe(204);
  secrets.set('session token 2', sessionCookieOf(change)!);

  track(
    'reset request',
    await t.app.inject({ method: 'POST', url: '/auth/password-reset', payload: { email } }),
  );
  const [reset] = await t.emailSecrets('send-password-reset');
  secrets.set('reset token', reset!);
  track('reset page', await t.app.inject({ method: 'GET', url: `/reset-password?token=${reset}` }));
  const confirm = track(
    'reset confirm',
    await t.app.inject({
      method: 'POST',
      url: '/auth/password-reset/confirm',
      payload: { token: reset, newPassword: third },
    }),
  );
  expect(confirm.statusCode).toBe(204);

  track('failed login', (await login(t, email, wrong)).res);
  const again = await login(t, email, third);
  expect(again.res.statusCode).toBe(200);
  secrets.set('session token 3', again.token);
  track(
    'authorization header',
    await t.app.inject({
      method: 'GET',
      url: '/me',
      headers: { ...cookieHeader(again.token), authorization: `Bearer ${again.token}` },
    }),
    true,
  );
  track('public profile', await t.app.inject({ method: 'GET', url: `/users/${slug}` }));
  track(
    'logout',
    await t.app.inject({ method: 'POST', url: '/auth/logout', headers: cookieHeader(again.token) }),
    true,
  );
  await t.app.background.idle();

  passwords.forEach((password, i) => void secrets.set(`password ${i + 1}`, password));
  const stored = await db.execute<{ password: string }[]>(
    'select password from users where id = ?',
    [userId],
    'all',
  );
  secrets.set('password hash', stored[0]!.password);
  const tokens = await db.execute<{ id: string; token_hash: string }[]>(
    'select id, token_hash from verification_tokens where user_id = ?',
    [userId],
    'all',
  );
  tokens.forEach((token, i) => {
    secrets.set(`token hash ${i + 1}`, token.token_hash);
    secrets.set(`token id ${i + 1}`, token.id);
  });
  const profile = await db.execute<{ id: string }[]>(
    'select id from user_profiles where user_id = ?',
    [userId],
    'all',
  );
  secrets.set('profile id', profile[0]!.id);
  secrets.set('legacy id', String(LEGACY_ID));
});

describe('each request logs', () => {
  it('its request id on every line: the x-request-id header the client got', () => {
    for (const { what, res } of requests) {
      const own = linesOf(res);
      expect(own.length, what).toBeGreaterThanOrEqual(2);
      for (const line of own) expect(line.reqId, what).toMatch(/^[A-Za-z0-9_-]{16}$/);
    }
  });

  it('"incoming request" with its method, path and client address; "request completed" with status and duration', () => {
    for (const { what, res } of requests) {
      const own = linesOf(res);
      const incoming = own.filter((line) => line.msg === 'incoming request');
      const completed = own.filter((line) => line.msg === 'request completed');
      expect(incoming, what).toHaveLength(1);
      expect(completed, what).toHaveLength(1);
      const request = res.raw.req;
      expect(incoming[0]!.req, what).toMatchObject({
        method: request.method,
        url: expect.stringMatching(/^\/[^?]*/),
        remoteAddress: '127.0.0.1',
      });
      expect(String((incoming[0]!.req as { url: string }).url).split('?')[0], what).toBe(
        request.url?.split('?')[0],
      );
      expect(completed[0]!.res, what).toEqual({ statusCode: res.statusCode });
      expect(completed[0]!.responseTime, what).toEqual(expect.any(Number));
      expect(completed[0]!.responseTime as number, what).toBeGreaterThanOrEqual(0);
      for (const line of own) {
        expect(line, what).toMatchObject({
          level: expect.any(Number),
          time: expect.any(Number),
          msg: expect.any(String),
        });
      }
    }
  });

  it("the user's id on the completed line of a signed-in request, and on no anonymous request's line", () => {
    for (const { what, res, signedIn } of requests) {
      const completed = linesOf(res).find((line) => line.msg === 'request completed')!;
      if (signedIn) expect(completed.userId, what).toBe(userId);
      else if (what !== 'login' && what !== 'failed login') {
        for (const line of linesOf(res)) expect(line.userId, what).toBeUndefined();
      }
    }
  });
});

describe('no log line', () => {
  it('was missed: every request above wrote its lines, and the secrets were really sent', () => {
    expect(requests.length).toBeGreaterThanOrEqual(15);
    expect(lines.length).toBeGreaterThanOrEqual(requests.length * 2);
    expect(secrets.size).toBeGreaterThanOrEqual(14);
    for (const [what, value] of secrets) expect(value.length, what).toBeGreaterThanOrEqual(7);
  });

  it.each([
    'password',
    'session token',
    'verification token',
    'reset token',
    'password hash',
    'token hash',
    'profile id',
    'legacy id',
  ])('holds a %s', (kind) => {
    const values = [...secrets].filter(([what]) => what.startsWith(kind));
    expect(values.length).toBeGreaterThan(0);
    for (const line of lines) {
      const text = JSON.stringify(line);
      for (const [what, value] of values) expect(text, `${what} in ${text}`).not.toContain(value);
    }
  });

  it('holds a UUID anywhere but in the fields that name it: userId (the signed-in user), tokenId, jobId', () => {
    const tokenIds = [...secrets].filter(([what]) => what.startsWith('token id')).map(([, id]) => id);
    for (const line of lines) {
      const { userId: lineUser, tokenId, jobId, ...rest } = line;
      if (lineUser !== undefined) expect(lineUser).toBe(userId);
      if (tokenId !== undefined) expect(tokenIds).toContain(tokenId);
      if (jobId !== undefined) expect(jobId).toMatch(new RegExp(`\\.${tokenId}$`));
      expect(JSON.stringify(rest)).not.toMatch(UUID);
    }
    expect(lines.some((line) => line.userId === userId)).toBe(true);
    expect(lines.filter((line) => line.tokenId !== undefined)).toHaveLength(tokenIds.length);
  });

  it("shows the link pages' query with its values redacted", () => {
    for (const what of ['link page', 'reset page']) {
      const { res } = requests.find((request) => request.what === what)!;
      const incoming = linesOf(res).find((line) => line.msg === 'incoming request')!;
      expect((incoming.req as { url: string }).url).toMatch(
        /^\/(verify-email|reset-password)\?token=\[redacted\]$/,
      );
    }
  });
});
