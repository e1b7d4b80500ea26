import { randomUUID } from 'node:crypto';
import { runMigrations, translateLegacyUserIds, User } from '@org/db';
import { seedLegacyData } from '@org/db/testing';
import { JOBS_QUEUE } from '@org/jobs';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cutoverQueuedJobs } from '../src/cutoverQueuedJobs.js';
import { seedLegacyJobs } from '../src/seedLegacyJobs.js';
import { openDatabase, REDIS_URL } from './harness.js';

const USERS = 500;
let database: Awaited<ReturnType<typeof openDatabase>>;
let redis: Redis;
const prefix = `test-${randomUUID()}`;

beforeAll(async () => {
  database = await openDatabase('legacy');
  await seedLegacyData(database.url, { users: USERS });
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await database.close();
});

it('after the database cutover, legacy jobs name the same users by UUID (monorepo order: db step, then this one)', async () => {
  const added = await seedLegacyJobs({
    redis,
    prefix,
    legacyUserIds: Array.from({ length: USERS }, (_, index) => index + 1),
    count: 1000,
  });
  await runMigrations(database.orm);

  const report = await cutoverQueuedJobs({
    redis,
    prefix,
    translateUserIds: (ids) => translateLegacyUserIds(database.orm, ids),
  });
  expect(report.found).toBe(1000);
  expect(report.quarantined).toBe(
    added.send_verification_email + added.send_password_reset + report.byCause['user-not-mapped'],
  );
  expect(report.byCause['user-not-mapped']).toBe(50);

  const queue = new Queue(JOBS_QUEUE, { connection: redis, prefix });
  const translated = await queue.getJobs(['wait', 'delayed', 'prioritized']);
  expect(translated).toHaveLength(report.translated);
  const em = database.orm.em.fork();
  for (const job of translated.filter((candidate) => candidate.name === 'export-user-data').slice(0, 20)) {
    // The seeded jobs got BullMQ ids 1..1000 in order, and job i names legacy user (i - 1) % USERS + 1.
    const legacyJobId = Number((job.id as string).replace('legacy-', ''));
    const legacyUserId = ((legacyJobId - 1) % USERS) + 1;
    const user = await em.findOneOrFail(User, { id: job.data.userId });
    // seedLegacyData names legacy user n `user<n>@example.com`.
    expect(user.email).toBe(`user${legacyUserId}@example.com`);
  }
  await queue.close();
});
