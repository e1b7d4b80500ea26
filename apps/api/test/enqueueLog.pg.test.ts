import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@org/cli';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OwnRedis } from './ownRedis.js';
import { openTestDatabase, register, startTestApp, type TestApp, type TestDatabase } from './testApp.js';

/*
 * Issue 13: with Redis away for a moment after a register, the api logged "could not enqueue" although the job
 * was queued and delivered. The queue lives on a private redis-server here, which the test freezes (SIGSTOP:
 * the connection stays open, nothing answers) or fills (maxmemory: Redis refuses the write).
 */
type Line = Record<string, unknown>;
let db: TestDatabase;
let queueRedis: OwnRedis;
let admin: Redis;
let dir: string;
let t: TestApp;
let lines: Line[] = [];
let n = 0;
const nextEmail = () => `enqueue${++n}-${Date.now()}@example.com`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'api-enqueue-'));
  queueRedis = new OwnRedis(await freePort(), dir);
  await queueRedis.start();
  admin = new Redis(queueRedis.url);
  db = await openTestDatabase();
});
afterAll(async () => {
  admin?.disconnect();
  await queueRedis?.stop();
  await db?.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  lines = [];
  t = await startTestApp(db, {
    queueRedisUrl: queueRedis.url,
    config: { jobs: { enqueueTimeoutMs: 100 } },
    logger: { level: 'info', stream: { write: (line: string) => void lines.push(JSON.parse(line) as Line) } },
  });
});
afterEach(async () => {
  queueRedis.thaw();
  await admin.config('SET', 'maxmemory', '0');
  await t.close();
});

const jobLines = () => lines.filter((line) => line.job === 'send-verification-email');

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt += 1) {
    if (condition()) return;
    await sleep(25);
  }
  throw new Error(`gave up waiting for ${what}: ${JSON.stringify(lines.slice(-5))}`);
}

describe('the log says what happened to a queued email', () => {
  it('queued: "queued <job>" at info', async () => {
    expect((await register(t, nextEmail())).statusCode).toBe(201);
    expect(jobLines()).toMatchObject([{ level: 30, msg: 'queued send-verification-email' }]);
    expect(await t.emailSecrets('send-verification-email')).toHaveLength(1);
  });

  it('Redis silent: "not confirmed yet" at warn, then "queued after all" once it answers; the job is there', async () => {
    queueRedis.freeze();
    expect((await register(t, nextEmail())).statusCode).toBe(201);
    expect(jobLines()).toMatchObject([
      { level: 40, msg: expect.stringMatching(/^send-verification-email not confirmed yet/) },
    ]);
    expect(JSON.stringify(lines)).not.toMatch(/could not enqueue/);
    queueRedis.thaw();
    await until(() => jobLines().length === 2, 'the outcome to be logged');
    expect(jobLines()[1]).toMatchObject({ level: 30, msg: 'queued send-verification-email after all' });
    expect(await t.emailSecrets('send-verification-email')).toHaveLength(1);
  });

  it('Redis refuses the write: "could not enqueue" at error, and there is no job', async () => {
    await admin.config('SET', 'maxmemory', '1');
    expect((await register(t, nextEmail())).statusCode).toBe(201);
    expect(jobLines()).toMatchObject([
      { level: 50, msg: 'could not enqueue send-verification-email: nothing was queued' },
    ]);
    await admin.config('SET', 'maxmemory', '0');
    expect(await t.emailSecrets('send-verification-email')).toHaveLength(0);
  });
});
