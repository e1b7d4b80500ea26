import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect } from 'vitest';
import { closeWorkerGracefully } from '../src/closeWorkerGracefully.js';
import type { WorkerStore } from '../src/dbStore.js';
import { readMailbox } from '../src/mail/fileMailTransport.js';
import { ACCOUNT_SCHEDULER_IDS } from '../src/scheduleCleanup.js';
import {
  createExport,
  createUser,
  createUserWithToken,
  type Harness,
  settled,
  workerTopologies,
} from './harness.js';

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

async function waitForState(harness: Harness, jobId: string, state: string) {
  for (let i = 0; i < 500; i += 1) {
    if ((await harness.queue.getJobState(jobId)) === state) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`job ${jobId} never became ${state}`);
}

/** How long the main.ts child may take to start and process its first job. */
const STARTUP_MS = 120_000;

// On one Redis and on the run's 3-master Redis Cluster (issue 14): closing a worker and handing a job back are
// BullMQ scripts on the queue's keys, and main.ts must build its connections from REDIS_CLUSTER_NODES.
describe.each(workerTopologies())('on $name Redis', ({ test, env }) => {
  describe('graceful shutdown', () => {
    test('stops fetching and lets the active job finish within the timeout', async ({
      database,
      harness,
    }) => {
      const user = await createUser(database.orm);
      const release = gate();
      const entered = gate();
      const store: WorkerStore = {
        ...harness.deps.store,
        loadUserExport: async (userId) => {
          entered.open();
          await release.opened;
          return harness.deps.store.loadUserExport(userId);
        },
      };
      const pending = await createExport(database.orm, user.id);
      const worker = harness.startWorker({ store });
      const active = await harness.jobs.enqueue('export-user-data', {
        userId: user.id,
        exportId: pending.id,
      });
      // The processor itself has the job (BullMQ marks it active in Redis a moment before).
      await entered.opened;
      await waitForState(harness, active.id, 'active');

      const closing = closeWorkerGracefully(worker, { timeoutMs: 10_000 });
      const later = await harness.jobs.enqueue('purge-user-sessions', { userId: user.id });
      release.open();
      expect(await closing).toBe('drained');
      expect(await harness.queue.getJobState(active.id)).toBe('completed');
      expect(await harness.queue.getJobState(later.id)).toBe('waiting');
    });

    test('hands an active job back to the queue after the timeout, without using an attempt', async ({
      database,
      harness,
    }) => {
      const { secret, payload } = await createUserWithToken(database.orm);
      const release = gate();
      const entered = gate();
      const slowStore: WorkerStore = {
        ...harness.deps.store,
        loadTokenEmail: async (tokenId) => {
          entered.open();
          await release.opened;
          return harness.deps.store.loadTokenEmail(tokenId);
        },
      };
      const worker = harness.startWorker({ store: slowStore });
      const { id } = await harness.jobs.enqueue('send-verification-email', payload);
      await entered.opened;
      await waitForState(harness, id, 'active');

      const closing = closeWorkerGracefully(worker, { timeoutMs: 50, handBackMs: 10_000 });
      await new Promise((resolve) => setTimeout(resolve, 100));
      release.open();
      expect(await closing).toBe('handed-back');
      const handedBack = await harness.queue.getJob(id);
      expect(await handedBack?.getState()).toBe('waiting');
      expect(handedBack?.attemptsMade).toBe(0);
      expect(handedBack?.data).toHaveProperty('secret', secret);
      expect(await readMailbox(harness.mailDir)).toEqual([]);

      harness.startWorker();
      expect((await settled(harness.queue, id)).returnvalue).toMatchObject({ status: 'sent' });
      expect(await readMailbox(harness.mailDir)).toHaveLength(1);
      expect(
        harness.logs.some(
          (line) => line.jobId === id && line.msg === 'shutdown: job handed back to the queue',
        ),
      ).toBe(true);
    });

    test('gives up on a job that ignores cancellation instead of waiting forever', async ({
      database,
      harness,
    }) => {
      const { user, token, secret } = await createUserWithToken(database.orm);
      const release = gate();
      const delivering = gate();
      const worker = harness.startWorker({
        transport: {
          kind: 'stuck',
          deliver: () => {
            delivering.open();
            return release.opened;
          },
          close: async () => {},
        },
      });
      await harness.jobs.enqueue('send-verification-email', { userId: user.id, tokenId: token.id, secret });
      // Inside the transport, past every check that could end the job early.
      await delivering.opened;
      expect(await closeWorkerGracefully(worker, { timeoutMs: 50, handBackMs: 50 })).toBe('abandoned');
      release.open();
    });
  });

  describe('main.ts', () => {
    test(
      'processes jobs and exits 0 on SIGTERM, closing everything',
      async ({ database, harness }) => {
        const { secret, payload } = await createUserWithToken(database.orm);
        const child = spawn(
          process.execPath,
          ['--conditions=@org/source', '--import', 'tsx', 'src/main.ts'],
          {
            cwd: new URL('..', import.meta.url),
            env: {
              ...process.env,
              ...env,
              DATABASE_URL: database.url,
              QUEUE_PREFIX: harness.prefix,
              MAIL_DIR: harness.mailDir,
              SHUTDOWN_TIMEOUT_MS: '5000',
              LOG_LEVEL: 'info',
            },
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        const output: string[] = [];
        child.stdout.on('data', (chunk) => output.push(String(chunk)));
        child.stderr.on('data', (chunk) => output.push(String(chunk)));
        try {
          const { id } = await harness.jobs.enqueue('send-verification-email', payload);
          // The child starts tsx and imports the worker's sources: seconds when quiet, over 30 s on a loaded CI machine.
          expect((await settled(harness.queue, id, STARTUP_MS)).returnvalue).toMatchObject({
            status: 'sent',
          });
          expect(await harness.queue.getJobSchedulersCount()).toBe(1 + ACCOUNT_SCHEDULER_IDS.length);
        } finally {
          child.kill('SIGTERM');
        }
        const [code] = await once(child, 'exit');
        const lines = output
          .join('')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line));
        expect(code).toBe(0);
        expect(lines.map((line) => line.msg)).toEqual(
          expect.arrayContaining(['worker started', 'shutting down', 'worker stopped']),
        );
        expect(lines.find((line) => line.msg === 'worker stopped')).toMatchObject({ outcome: 'drained' });
        // In development the emails are files: the start-up log says where.
        expect(lines.find((line) => String(line.msg).startsWith('MAIL_TRANSPORT=file'))).toMatchObject({
          mailDir: harness.mailDir,
        });
        expect(JSON.stringify(lines)).not.toContain(secret);
      },
      STARTUP_MS + 30_000,
    );
  });
});
