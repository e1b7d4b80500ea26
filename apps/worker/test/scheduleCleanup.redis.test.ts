import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { CLEANUP_SCHEDULER_ID, scheduleCleanup } from '../src/scheduleCleanup.js';
import { REDIS_URL } from './harness.js';

let redis: Redis;
let queue: Queue;

beforeEach(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  queue = new Queue('jobs', { connection: redis, prefix: `test-${randomUUID()}` });
});
afterEach(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  redis.disconnect();
});

it('keeps one cleanup scheduler however many workers start, with the latest interval', async () => {
  await scheduleCleanup(queue, 60_000);
  await scheduleCleanup(queue, 60_000);
  await scheduleCleanup(queue, 120_000);
  const schedulers = await queue.getJobSchedulers();
  expect(schedulers).toHaveLength(1);
  expect(schedulers[0]).toMatchObject({
    key: CLEANUP_SCHEDULER_ID,
    every: 120_000,
    template: { opts: { attempts: 3 } },
  });
  const next = await queue.getJobs(['wait', 'delayed', 'prioritized']);
  expect(next.map((job) => job.name)).toEqual(['cleanup-expired-tokens']);
});
