import { randomUUID } from 'node:crypto';
import { initOrm, runMigrations, translateLegacyUserIds, User } from '@org/db';
import { createTestDatabase, seedLegacyData } from '@org/db/testing';
import { createRedisClient, type RedisClient } from '@org/sessions';
import { deleteKeysWithPrefix } from '@org/sessions/testing';
import { redisTopologies } from '@org/sessions/testing/vitest';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cutoverQueuedJobs, JOBS_QUEUE } from '../src/index.js';
import { seedLegacyJobs } from '../src/testing/index.js';

const USERS = 500;
const created = await createTestDatabase({ state: 'legacy' });
const orm = await initOrm({ clientUrl: created.url });

// pnpm migrate's order: the database step first (legacy ids -> UUIDs, with legacy_user_ids), then this step.
beforeAll(async () => {
  await seedLegacyData(created.url, { users: USERS });
  await runMigrations(orm);
});
afterAll(async () => {
  await orm.close();
  await created.drop();
});

// On one Redis and on the run's 3-master Redis Cluster (issue 14), where the queue prefix has a {hash tag}.
describe.each(redisTopologies())('on $name Redis', ({ name, target }) => {
  let redis: RedisClient;
  let prefix: string;
  beforeEach(() => {
    redis = createRedisClient(target, { maxRetriesPerRequest: null });
    prefix = name === 'cluster' ? `{test-${randomUUID()}}` : `test-${randomUUID()}`;
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, `${prefix}:`);
    redis.disconnect();
  });

  it('after the database cutover, legacy jobs name the same users by UUID (pnpm migrate order: database, then this step)', async () => {
    const added = await seedLegacyJobs({
      redis,
      prefix,
      legacyUserIds: Array.from({ length: USERS }, (_, index) => index + 1),
      count: 1000,
    });

    const report = await cutoverQueuedJobs({
      redis,
      prefix,
      translateUserIds: (ids) => translateLegacyUserIds(orm, ids),
    });
    expect(report.found).toBe(1000);
    expect(report.quarantined).toBe(
      added.send_verification_email + added.send_password_reset + report.byCause['user-not-mapped'],
    );
    expect(report.byCause['user-not-mapped']).toBe(50);

    const queue = new Queue(JOBS_QUEUE, { connection: redis, prefix });
    try {
      const translated = await queue.getJobs(['wait', 'delayed', 'prioritized']);
      expect(translated).toHaveLength(report.translated);
      const em = orm.em.fork();
      for (const job of translated
        .filter((candidate) => candidate.name === 'export-user-data')
        .slice(0, 20)) {
        // The seeded jobs got BullMQ ids 1..1000 in order, and job i names legacy user (i - 1) % USERS + 1.
        const legacyJobId = Number((job.id as string).replace('legacy-', ''));
        const legacyUserId = ((legacyJobId - 1) % USERS) + 1;
        const user = await em.findOneOrFail(User, { id: job.data.userId });
        // seedLegacyData names legacy user n `user<n>@example.com`.
        expect(user.email).toBe(`user${legacyUserId}@example.com`);
      }
    } finally {
      await queue.close();
    }
  });
});
