import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '@org/cli';
import { createTestDatabase, type TestDatabase } from '@org/db/testing';
import { deleteKeysWithPrefix } from '@org/sessions/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRawProblem, type RawResponse, rawExchange } from './rawHttp.js';
import { REDIS_URL } from './testApp.js';

/*
 * The real process (src/server.ts), as `pnpm start` runs it, on an empty database: it says once that the
 * database needs `pnpm migrate`, and a request that stops sending its body neither holds it forever nor makes
 * its SIGTERM shutdown fail (issue 13: it waited its full 10 s and exited 1).
 */
const apiDir = fileURLToPath(new URL('..', import.meta.url));
const stem = `api-process-${randomUUID()}`;
let db: TestDatabase;
let child: ChildProcess | undefined;
let output = '';
const redis = new Redis(REDIS_URL);

beforeAll(async () => {
  db = await createTestDatabase({ state: 'empty' });
});
afterAll(async () => {
  if (child?.exitCode === null) child.kill('SIGKILL');
  await deleteKeysWithPrefix(redis, `${stem}:`);
  await deleteKeysWithPrefix(redis, `${stem}-bull:`);
  redis.disconnect();
  await db?.drop();
});

function logLines(): Record<string, unknown>[] {
  return output.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/**
 * How long to wait for the process: on a fresh CI machine running every package's tests at once on two cores,
 * tsx transforming the sources cold has kept an api silent for 45 s. A hang, not speed.
 */
const START_TIMEOUT_MS = 120_000;

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}:\n${output}`);
    await sleep(50);
  }
}

describe('the api process', () => {
  it(
    'says to run pnpm migrate, answers a stalled request with 408 and exits 0 on SIGTERM',
    async () => {
      const port = await freePort();
      child = spawn(process.execPath, ['--conditions=@org/source', '--import', 'tsx', 'src/server.ts'], {
        cwd: apiDir,
        env: {
          ...process.env,
          DATABASE_URL: db.url,
          REDIS_URL,
          REDIS_KEY_PREFIX: `${stem}:`,
          QUEUE_PREFIX: `${stem}-bull`,
          PORT: String(port),
          LOG_LEVEL: 'info',
          HEADERS_TIMEOUT_MS: '1000',
          REQUEST_TIMEOUT_MS: '1000',
          SHUTDOWN_TIMEOUT_MS: '15000',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

      await until(() => /not migrated/.test(output), 'the start-up warning');
      const warnings = logLines().filter((line) => String(line.msg).includes('pnpm migrate'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ level: 40 });
      expect(String(warnings[0]!.msg)).toContain('is not migrated: run `pnpm migrate`');

      const ready = await fetch(`http://127.0.0.1:${port}/ready`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { detail: string }).detail).toBe(
        'postgres: not migrated (run pnpm migrate), redis: ok',
      );

      // 2 of the 100 promised bytes, then silence.
      const stalled: Promise<RawResponse> = rawExchange(
        port,
        'POST /auth/login HTTP/1.1\r\nHost: api.test\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"',
        { keepOpen: true },
      );
      await until(
        () =>
          logLines().some(
            (line) =>
              line.msg === 'incoming request' && (line.req as { url?: string })?.url === '/auth/login',
          ),
        'the stalled request to reach the api',
      );
      child.kill('SIGTERM');
      expectRawProblem(await stalled, 408, 'request-timeout');
      const [code, signal] = await exited;
      expect({ code, signal }, output).toEqual({ code: 0, signal: null });
      const messages = logLines().map((line) => line.msg);
      expect(messages).toContain('shutting down');
      expect(messages).toContain('stopped');
      expect(messages).not.toContain('graceful shutdown timed out');
    },
    2 * START_TIMEOUT_MS,
  );
});
