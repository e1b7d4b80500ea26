import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../src/config.js';
import { expectRawProblem, rawExchange } from './rawHttp.js';
import { openTestDatabase, startTestApp, type TestApp, type TestDatabase } from './testApp.js';

// One Redis only: these requests are refused or timed out by Node and Fastify before any route reads Redis.
let db: TestDatabase;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db?.close());

/** A listening app on the file's database; `close` removes its keys. */
async function listeningApp(http?: AppConfig['http']): Promise<{ t: TestApp; port: number }> {
  const t = await startTestApp(db, http === undefined ? {} : { config: { http } });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  return { t, port: (t.app.server.address() as AddressInfo).port };
}

const get = (target: string, headers = 'Host: api.test\r\n') => `GET ${target} HTTP/1.1\r\n${headers}\r\n`;

describe('requests Node refuses below Fastify get the same problem document as every other error', () => {
  // Every case closes its own connection: one app serves them all.
  let shared: { t: TestApp; port: number };
  beforeAll(async () => {
    shared = await listeningApp();
  });
  afterAll(() => shared?.t.close());
  const listen = async () => shared.port;

  it.each([
    ['a CR inside a header value', get('/health', 'Host: api.test\r\nX-Note: a\rb\r\n')],
    ['a NUL inside a header value', get('/health', 'Host: api.test\r\nX-Note: a\u0000b\r\n')],
    ['a space inside a header name', get('/health', 'Host: api.test\r\nX Note: a\r\n')],
    [
      'Content-Length together with Transfer-Encoding',
      'POST /auth/login HTTP/1.1\r\nHost: api.test\r\nContent-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
    [
      'two different Content-Lengths',
      'POST /auth/login HTTP/1.1\r\nHost: api.test\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
    ],
    ['an unknown method', 'FROB /health HTTP/1.1\r\nHost: api.test\r\n\r\n'],
    ['a space in the path', get('/users/a b')],
    ['an unknown HTTP version', 'GET /health HTTP/7.1\r\nHost: api.test\r\n\r\n'],
    ['an HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
    [
      'a bad chunk size',
      'POST /auth/login HTTP/1.1\r\nHost: api.test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    ],
    ['no Host header', 'GET /health HTTP/1.1\r\n\r\n'],
    ['CONNECT', 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n'],
  ])('%s: 400', async (_, request) => {
    expectRawProblem(await rawExchange(await listen(), request), 400, 'bad-request');
  });

  it('a 70 KB URL: 431', async () => {
    expectRawProblem(
      await rawExchange(await listen(), get(`/users/${'a'.repeat(70_000)}`)),
      431,
      'headers-too-large',
    );
  });

  it('an Expect it cannot meet: 417', async () => {
    const res = await rawExchange(await listen(), get('/health', 'Host: api.test\r\nExpect: 200-ok\r\n'));
    expectRawProblem(res, 417, 'expectation-failed');
  });

  it('routed errors share the shape (the control case of this file)', async () => {
    const port = await listen();
    expectRawProblem(await rawExchange(port, get('/nowhere')), 404, 'not-found');
    const health = await rawExchange(port, get('/health', 'Host: api.test\r\nConnection: close\r\n'));
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
    // No upgrade listener: Node serves an Upgrade request as a plain one.
    const upgrade = await rawExchange(
      port,
      get('/nowhere', 'Host: api.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n'),
    );
    expectRawProblem(upgrade, 404, 'not-found');
  });
});

describe('request deadlines', () => {
  const body100 =
    'POST /auth/login HTTP/1.1\r\nHost: api.test\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"';

  it.each([
    ['stops sending its body', body100],
    ['never finishes its headers', 'GET /health HTTP/1.1\r\nHost: api'],
  ])('answers a request that %s with a 408 problem and closes the connection', async (_, request) => {
    const { t, port } = await listeningApp({ headersTimeoutMs: 200, requestTimeoutMs: 300 });
    try {
      expectRawProblem(await rawExchange(port, request, { keepOpen: true }), 408, 'request-timeout');
    } finally {
      await t.close();
    }
  });

  it.each([
    ['mid-headers', 'GET /health HTTP/1.1\r\nHost: api'],
    ['mid-body', body100],
  ])(
    'keeps the deadline while closing (Node stops its own check): a client %s gets 408 and close() completes',
    async (_, request) => {
      const { t, port } = await listeningApp({ headersTimeoutMs: 300, requestTimeoutMs: 300 });
      try {
        // Mid-body, the request must be routed before close() starts: one routed after it is answered 503
        // (Fastify's return503OnClosing), which a loaded machine did once. Mid-headers it is never routed.
        const routed = request === body100 ? once(t.app.server, 'request') : undefined;
        const stalled = rawExchange(port, request, { keepOpen: true });
        for (let attempt = 0; attempt < 200 && (await connections(t)) === 0; attempt += 1) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await routed;
        const closed = t.app.close();
        expectRawProblem(await stalled, 408, 'request-timeout');
        await closed;
      } finally {
        await t.close();
      }
    },
  );
});

function connections(t: TestApp): Promise<number> {
  return new Promise((resolve, reject) =>
    t.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );
}
