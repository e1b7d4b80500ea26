import { randomUUID } from 'node:crypto';
import { createRedisClient, type RedisClient } from '@org/sessions';
import { deleteKeysWithPrefix } from '@org/sessions/testing';
import { redisTopologies } from '@org/sessions/testing/vitest';
import { Queue } from 'bullmq';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLEANUP_SCHEDULER_ID, scheduleCleanup } from '../src/scheduleCleanup.js';

// On one Redis and on the run's 3-master Redis Cluster (issue 14); there the queue prefix has a {tag}.
describe.each(redisTopologies())('cleanup scheduler on $name Redis', ({ name, target }) => {
  let redis: RedisClient;
  let prefix: string;
  let queue: Queue;

  beforeEach(() => {
    redis = createRedisClient(target, { maxRetriesPerRequest: null });
    prefix = name === 'cluster' ? `{test-${randomUUID()}}` : `test-${randomUUID()}`;
    queue = new Queue('jobs', { connection: redis, prefix });
  });
  afterEach(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    // Nothing of the queue is left on any master.
    expect(await deleteKeysWithPrefix(redis, `${prefix}:`)).toBe(0);
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
});
