import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@org/cli';
import { createTestDatabase, type TestDatabase } from '@org/db/testing';
import { createRedisClient, type RedisClient } from '@org/sessions';
import { deleteKeysWithPrefix, redisSnapshot } from '@org/sessions/testing';
import { redisTopologies } from '@org/sessions/testing/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, START_TIMEOUT_MS } from './appProcess.js';
import { isolatedAppEnv } from './isolatedAppEnv.js';
import { pollUntil } from './pollUntil.js';

let db: TestDatabase;
let tempDir: string;

beforeAll(async () => {
  db = await createTestDatabase({ state: 'migrated' });
  tempDir = await mkdtemp(join(tmpdir(), 'start-test-'));
});
afterAll(async () => {
  await db?.drop();
  await rm(tempDir, { recursive: true, force: true });
});

// On one Redis and on the run's 3-master Redis Cluster (issue 14): pnpm start must hand REDIS_CLUSTER_NODES to
// both apps, whose /ready then checks the cluster.
describe.each(redisTopologies())('pnpm start on $name Redis', (topology) => {
  const stem = `start-${randomUUID()}`;
  // On a cluster every key of a BullMQ queue must hash to one slot: the queue prefix carries a hash tag.
  const queuePrefix = topology.name === 'cluster' ? `{${stem}}-bull` : `${stem}-bull`;
  let redis: RedisClient;
  beforeAll(() => {
    redis = createRedisClient(topology.target);
  });
  afterAll(async () => {
    await deleteKeysWithPrefix(redis, `${stem}:`);
    await deleteKeysWithPrefix(redis, `${queuePrefix}:`);
    redis.disconnect();
  });

  it('runs the api and the worker; Ctrl-C (SIGINT to the group) stops both cleanly, reported as such', async () => {
    const port = await freePort();
    const child = spawn('pnpm', ['start'], {
      cwd: repoRoot,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        ...isolatedAppEnv({ databaseUrl: db.url, stem, tempDir, port }),
        ...topology.env,
        QUEUE_PREFIX: queuePrefix,
      },
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = once(child, 'exit');
    try {
      const ready = await pollUntil(
        'the api to be ready and the worker to be consuming',
        async () => {
          const response = await fetch(`http://127.0.0.1:${port}/ready`);
          const workerUp =
            /"service":"worker"/.test(output) && /worker (started|ready|consuming)/i.test(output);
          return response.ok && workerUp ? ((await response.json()) as unknown) : undefined;
        },
        { timeoutMs: START_TIMEOUT_MS, intervalMs: 250, describe: () => output },
      );
      expect(ready).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
      // The worker's schedulers are on this topology's Redis: pnpm start passed its variables on.
      await pollUntil(
        "the worker's schedulers on this Redis",
        async () => ((await redisSnapshot(redis, `${queuePrefix}:`)).size > 0 ? true : undefined),
        { timeoutMs: START_TIMEOUT_MS, describe: () => output },
      );
    } finally {
      process.kill(-child.pid!, 'SIGINT');
    }
    await exited;
    const groupGone = () => {
      try {
        process.kill(-child.pid!, 0);
        return undefined;
      } catch {
        return true;
      }
    };
    await pollUntil('every process of the group to exit', async () => groupGone(), {
      timeoutMs: 20_000,
      describe: () => output,
    });
    expect(output).toMatch(/^worker \| .*"msg":"worker stopped"/m);
    expect(output).toMatch(/^api +\| .*"msg":"stopped"/m);
    expect(output).toMatch(/^api +\| exited with 0$/m);
    expect(output).toMatch(/^worker \| exited with 0$/m);
    // pnpm itself reports the interrupted root script once; nothing else may report a failure.
    expect(output.match(/ELIFECYCLE/g)?.length ?? 0).toBeLessThanOrEqual(1);
    expect(output).not.toMatch(/Tasks: +0 successful/);
    await expect(fetch(`http://127.0.0.1:${port}/ready`)).rejects.toThrow();
  });
});
