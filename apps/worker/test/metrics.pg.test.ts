import { freePort } from '@org/cli';
import { startMetricsServer } from '@org/metrics';
import { labelValues, parseSamples, type Sample, sampleValue } from '@org/metrics/testing';
import type { SessionStore } from '@org/sessions';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import { parseEnv } from '../src/env.js';
import { observeJobs, UNKNOWN_JOB } from '../src/metrics/observeJobs.js';
import { observeQueueDepth } from '../src/metrics/observeQueueDepth.js';
import { createWorkerMetrics } from '../src/metrics/workerMetrics.js';
import { startWorker } from '../src/startWorker.js';
import { createUser, REDIS_URL, settled, workerTopologies } from './harness.js';

/** Scrapes `registry` through a real metrics listener, as Prometheus would. */
async function scrape(registry: Registry): Promise<Sample[]> {
  const server = await startMetricsServer(registry, { host: '127.0.0.1', port: 0 });
  try {
    const res = await fetch(server.url);
    expect(res.status).toBe(200);
    return parseSamples(await res.text());
  } finally {
    await server.close();
  }
}

// The Redis-reading parts (job events, queue depth, startWorker's connections) on one Redis and on the run's
// 3-master Redis Cluster (issue 14); the unreachable-Redis and env cases once.
describe.each(workerTopologies())('on $name Redis', ({ test, env: redisEnv }) => {
  describe('job metrics', () => {
    test('counts completed, retried and failed attempts by job name and times each attempt', async ({
      database,
      harness,
    }) => {
      const metrics = createWorkerMetrics();
      let purges = 0;
      const flaky: SessionStore<string> = {
        ...harness.sessions,
        async revokeAll(userId, options) {
          purges += 1;
          if (purges === 1) throw new Error('Redis blip');
          return harness.sessions.revokeAll(userId, options);
        },
      };
      observeJobs(harness.startWorker({ sessions: flaky }), metrics);
      const user = await createUser(database.orm);
      const first = await harness.jobs.enqueue('purge-user-sessions', { userId: user.id });
      expect(await (await settled(harness.queue, first.id)).getState()).toBe('completed');
      const second = await harness.jobs.enqueue('purge-user-sessions', { userId: user.id });
      // A name outside the catalog is rejected at the boundary, for good; it must not become a label value.
      const stray = await harness.queue.add('drop-all-tables; --', { userId: 1 });
      await settled(harness.queue, second.id);
      expect(await (await settled(harness.queue, stray.id!)).getState()).toBe('failed');

      const jobs = (samples: Sample[], job: string, outcome: string) =>
        sampleValue(samples, 'worker_jobs_total', { job, outcome });
      // The outcome event follows the state change in Redis by a moment.
      const samples = await vi.waitFor(
        async () => {
          const scraped = await scrape(metrics.registry);
          expect(jobs(scraped, UNKNOWN_JOB, 'failed')).toBe(1);
          expect(jobs(scraped, 'purge-user-sessions', 'completed')).toBe(2);
          return scraped;
        },
        { timeout: 5_000, interval: 20 },
      );
      expect(jobs(samples, 'purge-user-sessions', 'retried')).toBe(1);
      expect(jobs(samples, 'purge-user-sessions', 'failed')).toBe(0);
      expect(labelValues(samples, 'worker_jobs_total', 'job')).toEqual(['purge-user-sessions', UNKNOWN_JOB]);
      expect(sampleValue(samples, 'worker_job_duration_seconds_count', { job: 'purge-user-sessions' })).toBe(
        3,
      );
      expect(sampleValue(samples, 'worker_job_duration_seconds_count', { job: UNKNOWN_JOB })).toBe(1);
    });
  });

  describe('queue depth', () => {
    test('is read from Redis at each scrape, by state', async ({ database, harness }) => {
      const metrics = createWorkerMetrics();
      observeQueueDepth(harness.queue, metrics.registry);
      const depth = (samples: Sample[], state: string) =>
        sampleValue(samples, 'worker_queue_jobs', { queue: harness.queueName, state });

      const worker = harness.startWorker();
      const stray = await harness.queue.add('no-such-job', {});
      await settled(harness.queue, stray.id!);
      await worker.close();
      const user = await createUser(database.orm);
      for (let i = 0; i < 3; i += 1) await harness.jobs.enqueue('purge-user-sessions', { userId: user.id });
      await harness.jobs.enqueue('purge-user-sessions', { userId: user.id }, { delay: 60_000 });
      await harness.jobs.enqueue('purge-user-sessions', { userId: user.id }, { priority: 1 });
      await harness.jobs.enqueue('purge-user-sessions', { userId: user.id }, { priority: 2 });

      const before = await scrape(metrics.registry);
      expect(depth(before, 'waiting')).toBe(3);
      expect(depth(before, 'delayed')).toBe(1);
      expect(depth(before, 'prioritized')).toBe(2);
      expect(depth(before, 'failed')).toBe(1);
      expect(depth(before, 'active')).toBe(0);

      await harness.jobs.enqueue('purge-user-sessions', { userId: user.id });
      expect(depth(await scrape(metrics.registry), 'waiting')).toBe(4);
    });
  });

  describe('startWorker', () => {
    test('serves its metrics on WORKER_METRICS_PORT and closes the listener on stop; none when unset', async ({
      database,
      harness,
    }) => {
      const base = {
        ...redisEnv,
        DATABASE_URL: database.url,
        QUEUE_PREFIX: harness.prefix,
        REDIS_KEY_PREFIX: `${harness.prefix}:`,
        MAIL_DIR: harness.mailDir,
        SHUTDOWN_TIMEOUT_MS: '2000',
        LOG_LEVEL: 'silent',
      };
      const logger = harness.deps.logger;
      const off = await startWorker(parseEnv(base), logger, { queueName: harness.queueName });
      try {
        expect(off.metricsUrl).toBeNull();
      } finally {
        await off.stop();
      }

      const port = await freePort();
      const env = parseEnv({ ...base, WORKER_METRICS_PORT: String(port) });
      const running = await startWorker(env, logger, { queueName: harness.queueName });
      let url: string | null = null;
      try {
        url = running.metricsUrl;
        expect(url).toBe(`http://127.0.0.1:${port}/metrics`);
        const user = await createUser(database.orm);
        const { id } = await harness.jobs.enqueue('purge-user-sessions', { userId: user.id });
        await settled(harness.queue, id);
        await vi.waitFor(
          async () => {
            const samples = parseSamples(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
            expect(
              sampleValue(samples, 'worker_jobs_total', { job: 'purge-user-sessions', outcome: 'completed' }),
            ).toBe(1);
            expect(sampleValue(samples, 'worker_queue_jobs', { state: 'waiting' })).toBe(0);
            expect(sampleValue(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
          },
          { timeout: 5_000, interval: 20 },
        );
        expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
      } finally {
        await running.stop();
      }
      await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
    });
  });
});

describe('queue depth without Redis', () => {
  it('is left out, not waited for, while Redis does not answer', async () => {
    // Nothing listens on this port: the connection retries for ever, as the worker's do while Redis is away.
    const connection = new Redis(`redis://127.0.0.1:${await freePort()}`, { maxRetriesPerRequest: null });
    connection.on('error', () => {});
    const queue = new Queue('jobs', { connection });
    queue.on('error', () => {});
    const metrics = createWorkerMetrics();
    observeQueueDepth(queue, metrics.registry, { readTimeoutMs: 100 });
    metrics.jobs.inc({ job: 'purge-user-sessions', outcome: 'completed' });
    try {
      const samples = await scrape(metrics.registry);
      expect(samples.filter((sample) => sample.name === 'worker_queue_jobs')).toEqual([]);
      expect(sampleValue(samples, 'worker_jobs_total')).toBe(1);
    } finally {
      connection.disconnect();
    }
  });
});

describe('the metrics port', () => {
  it('refuses a WORKER_METRICS_PORT out of range', () => {
    expect(() => parseEnv({ REDIS_URL, WORKER_METRICS_PORT: '65536' })).toThrow(/WORKER_METRICS_PORT/);
    expect(parseEnv({ REDIS_URL }).WORKER_METRICS_PORT).toBe(0);
  });
});
