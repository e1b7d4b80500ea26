import { describe, expect, it } from 'vitest';
import { expectNoLeak } from './noLeak.js';
import { cookieHeader, login, signUp, useTestApp } from './testApp.js';

/*
 * The README promises that the log lines of a signed-in request carry the user's id (issue 13: none did, since
 * Fastify writes "request completed" with the reply's logger). Ids stay in the logs, never in responses.
 */
const t = useTestApp();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-6[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
let n = 0;
const nextEmail = () => `logs${++n}-${Date.now()}@example.com`;

type Line = Record<string, unknown>;
let lines: Line[] = [];

async function withCapturedLogs(): Promise<void> {
  lines = [];
  await t.restart({
    logger: { level: 'info', stream: { write: (line: string) => void lines.push(JSON.parse(line) as Line) } },
  });
}

const linesOf = (requestId: unknown) => lines.filter((line) => line.reqId === requestId);

async function userIdOf(email: string): Promise<string> {
  const rows = await t.db.orm.em
    .fork()
    .execute<{ id: string }[]>('select id from users where email = ?', [email], 'all');
  return rows[0]!.id;
}

describe('request logs', () => {
  it('carry the userId on every line after the session is known, "request completed" included', async () => {
    await withCapturedLogs();
    const email = nextEmail();
    const { token } = await signUp(t, email);
    const userId = await userIdOf(email);
    expect(userId).toMatch(UUID);

    const me = await t.app.inject({ method: 'GET', url: '/me', headers: cookieHeader(token) });
    expect(me.statusCode).toBe(200);
    expectNoLeak('GET /me', me);
    const ofMe = linesOf(me.headers['x-request-id']);
    expect(ofMe.map((line) => line.msg)).toEqual(['incoming request', 'request completed']);
    // "incoming request" is written before the session cookie is read.
    expect(ofMe.find((line) => line.msg === 'request completed')?.userId).toBe(userId);

    const failed = await t.app.inject({
      method: 'PATCH',
      url: '/me',
      headers: cookieHeader(token),
      payload: { bio: 'x'.repeat(3000) },
    });
    expect(failed.statusCode).toBe(400);
    expect(linesOf(failed.headers['x-request-id']).at(-1)).toMatchObject({
      msg: 'request completed',
      userId,
    });
  });

  it('a login labels its own lines with the user who signed in, not the session its cookie named', async () => {
    await withCapturedLogs();
    const first = nextEmail();
    const { token } = await signUp(t, first);
    const second = nextEmail();
    await signUp(t, second);
    const res = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: cookieHeader(token),
      payload: { email: second, password: 'correct horse battery' },
    });
    expect(res.statusCode).toBe(200);
    const secondId = await userIdOf(second);
    const ofLogin = linesOf(res.headers['x-request-id']);
    expect(ofLogin.find((line) => line.msg === 'signed in')?.userId).toBe(secondId);
    expect(ofLogin.find((line) => line.msg === 'request completed')?.userId).toBe(secondId);
    expect(JSON.stringify(ofLogin)).not.toContain(await userIdOf(first));
  });

  it('anonymous requests carry none', async () => {
    await withCapturedLogs();
    const { res } = await login(t, nextEmail(), 'wrong password');
    expect(res.statusCode).toBe(401);
    const anonymous = await t.app.inject({ method: 'GET', url: '/users/AbCdEfGhIjKl' });
    for (const line of [
      ...linesOf(res.headers['x-request-id']),
      ...linesOf(anonymous.headers['x-request-id']),
    ]) {
      expect(line.userId).toBeUndefined();
    }
    expect(linesOf(anonymous.headers['x-request-id']).length).toBeGreaterThan(0);
  });
});
