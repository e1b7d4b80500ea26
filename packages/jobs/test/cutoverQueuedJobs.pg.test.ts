import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { translateLegacyUserIds, UserIds } from '@org/db';
import { createRedisClient } from '@org/sessions';
import { redisSnapshot } from '@org/sessions/testing';
import { type RedisTopology, redisTopologies } from '@org/sessions/testing/vitest';
import type { JobsOptions, Queue } from 'bullmq';
import { describe, expect } from 'vitest';
import {
  cutoverQueuedJobs,
  DEFAULT_JOB_OPTIONS,
  formatQueuedJobsCutoverReport,
  migrateQueuedJobs,
  type QuarantineCause,
  type TranslateUserIds,
} from '../src/index.js';
import { seedLegacyJobs as seedDemoBacklog } from '../src/testing/index.js';
import { MAPPED_USERS, type MappedDatabase, queueTest as test } from './queueTest.js';

const UNMAPPED_USER = 900_001;
const LEGACY_JOBS = 3000;

type Expected =
  | { kind: 'translate'; target: string; data: Record<string, unknown> }
  | { kind: 'quarantine'; cause: QuarantineCause; reason: RegExp };

interface Seeded {
  id: string;
  timestamp: number;
  name: string;
  data: unknown;
  opts: JobsOptions;
  expected: Expected;
}

/** A realistic legacy backlog: every legacy job kind, in waiting, delayed and prioritized states. */
async function seedLegacyJobs(
  queue: Queue,
  database: MappedDatabase,
  count = LEGACY_JOBS,
): Promise<Seeded[]> {
  const translateTo = (target: string, legacyUserId: number): Expected => ({
    kind: 'translate',
    target,
    data: { userId: database.mapping.get(legacyUserId) },
  });
  const plan: Omit<Seeded, 'id' | 'timestamp'>[] = [];
  for (let i = 0; i < count; i += 1) {
    const userId = 1 + (i % MAPPED_USERS);
    const opts: JobsOptions = { attempts: 3 + (i % 3), backoff: { type: 'fixed', delay: 1000 } };
    if (i % 3 === 0) opts.delay = 3_600_000 + i;
    if (i % 3 === 1) opts.priority = 1 + (i % 5);
    const kind = i % 10;
    if (kind <= 3) {
      plan.push({
        name: 'export_user_data',
        data: { userId },
        opts,
        expected: translateTo('export-user-data', userId),
      });
    } else if (kind <= 5) {
      plan.push({
        name: 'purge_user_sessions',
        data: { userId },
        opts,
        expected: translateTo('purge-user-sessions', userId),
      });
    } else if (kind === 6) {
      plan.push({
        name: 'purge_user_sessions',
        data: { userId: UNMAPPED_USER },
        opts,
        expected: {
          kind: 'quarantine',
          cause: 'user-not-mapped',
          reason: /userId 900001 has no row in legacy_user_ids/,
        },
      });
    } else if (kind <= 8) {
      plan.push({
        name: kind === 7 ? 'send_verification_email' : 'send_password_reset',
        data: { userId, tokenId: 10_000 + i },
        opts,
        expected: {
          kind: 'quarantine',
          cause: 'token-not-mappable',
          reason: /the user must request a new token/,
        },
      });
    } else if (i % 20 === 9) {
      plan.push({
        name: 'cleanup_expired_tokens',
        data: {},
        opts,
        expected: { kind: 'translate', target: 'cleanup-expired-tokens', data: {} },
      });
    } else {
      plan.push({
        name: 'export_user_data',
        data: { userId: 'abc' },
        opts,
        expected: {
          kind: 'quarantine',
          cause: 'malformed-payload',
          reason: /does not match the legacy payload layout/,
        },
      });
    }
  }
  const jobs = [];
  for (let offset = 0; offset < plan.length; offset += 1000) {
    jobs.push(
      ...(await queue.addBulk(
        plan.slice(offset, offset + 1000).map(({ name, data, opts }) => ({ name, data, opts })),
      )),
    );
  }
  return jobs.map((job, index) => ({
    ...(plan[index] as Omit<Seeded, 'id' | 'timestamp'>),
    id: job.id as string,
    timestamp: job.timestamp,
  }));
}

/** Jobs that are not legacy and must come out untouched. */
function seedOtherJobs(queue: Queue) {
  return queue.addBulk([
    { name: 'purge-user-sessions', data: { userId: UserIds.newId() } },
    { name: 'export-user-data', data: { userId: UserIds.newId() }, opts: { delay: 60_000 } },
    { name: 'cleanup-expired-tokens', data: {}, opts: { priority: 3 } },
    { name: 'some-other-system-job', data: { userId: 42 } },
  ]);
}

/** Every job id per state, with name, data and the options the step must preserve. */
async function snapshot(queue: Queue) {
  const result: Record<string, unknown> = { paused: await queue.isPaused() };
  for (const state of ['wait', 'delayed', 'prioritized', 'failed', 'completed', 'active'] as const) {
    const ids = (await queue.getRanges([state], 0, -1)).sort();
    const jobs = await Promise.all(ids.map((id) => queue.getJob(id)));
    result[state] = jobs.map((job) => [job?.id, job?.name, job?.data, job?.opts.priority, job?.failedReason]);
  }
  return result;
}

const translateWith =
  (database: MappedDatabase): TranslateUserIds =>
  (ids) =>
    translateLegacyUserIds(database.orm, ids);

function expectedCounts(seeded: Seeded[]) {
  const byCause: Record<QuarantineCause, number> = {
    'token-not-mappable': 0,
    'user-not-mapped': 0,
    'malformed-payload': 0,
  };
  let quarantined = 0;
  for (const job of seeded) {
    if (job.expected.kind === 'quarantine') {
      byCause[job.expected.cause] += 1;
      quarantined += 1;
    }
  }
  return { found: seeded.length, translated: seeded.length - quarantined, quarantined, byCause };
}

/** Every seeded job is translated (original gone) or quarantined (original in the failed set), exactly once. */
async function expectCutoverDone(queue: Queue, seeded: Seeded[]) {
  const expected = expectedCounts(seeded);
  expect(await queue.getFailedCount()).toBe(expected.quarantined);
  // 200 jobs at a time: their reads share the connection's pipeline instead of one round trip each.
  for (let offset = 0; offset < seeded.length; offset += 200) {
    await Promise.all(seeded.slice(offset, offset + 200).map((legacy) => expectJobDone(queue, legacy)));
  }
}

async function expectJobDone(queue: Queue, legacy: Seeded) {
  const [original, translation] = await Promise.all([
    queue.getJob(legacy.id),
    queue.getJob(`legacy-${legacy.id}`),
  ]);
  if (legacy.expected.kind === 'translate') {
    expect(original).toBeUndefined();
    expect(translation?.name).toBe(legacy.expected.target);
    expect(translation?.data).toEqual(legacy.expected.data);
    expect(translation?.opts.attempts).toBe(legacy.opts.attempts);
    expect(translation?.opts.priority ?? undefined).toBe(legacy.opts.priority);
    expect(translation?.timestamp).toBe(legacy.timestamp);
    const state = await translation?.getState();
    if (legacy.opts.delay) {
      expect(state).toBe('delayed');
      expect(translation?.delay).toBe(legacy.opts.delay);
    } else {
      expect(state).toBe(legacy.opts.priority ? 'prioritized' : 'waiting');
    }
  } else {
    expect(await original?.getState()).toBe('failed');
    expect(original?.name).toBe(legacy.name);
    expect(original?.data).toEqual(legacy.data);
    expect(original?.failedReason).toMatch(legacy.expected.reason);
    expect(translation).toBeUndefined();
  }
}

describe.each(redisTopologies())('cutoverQueuedJobs on $name Redis', (topology) => {
  test.override('topology', topology);

  test(`translates or quarantines all ${LEGACY_JOBS} legacy jobs, loses none, touches nothing else, and is a no-op the second time`, async ({
    database,
    redis,
    prefix,
    queue,
  }) => {
    const seeded = await seedLegacyJobs(queue, database);
    const others = await seedOtherJobs(queue);
    const othersBefore = await Promise.all(
      others.map(async (job) => [job.id, job.name, job.data, await job.getState()]),
    );

    const progress: number[] = [];
    const report = await cutoverQueuedJobs({
      redis,
      prefix,
      translateUserIds: translateWith(database),
      batchSize: 700,
      onProgress: ({ done }) => progress.push(done),
    });
    const expected = expectedCounts(seeded);
    expect(report).toMatchObject({ step: 'queued-jobs', dryRun: false, ...expected, activeLegacy: 0 });
    expect(report.queues).toEqual([{ queue: 'jobs', ...expected, activeLegacy: 0 }]);
    expect(expected.byCause['user-not-mapped']).toBeGreaterThan(0);
    expect(expected.byCause['malformed-payload']).toBeGreaterThan(0);
    expect(progress).toEqual([700, 1400, 2100, 2800, LEGACY_JOBS + others.length]);

    await expectCutoverDone(queue, seeded);
    const othersAfter = await Promise.all(
      others.map(async (job) => {
        const current = await queue.getJob(job.id as string);
        return [current?.id, current?.name, current?.data, await current?.getState()];
      }),
    );
    expect(othersAfter).toEqual(othersBefore);
    expect(await queue.isPaused()).toBe(false);
    expect(await redis.exists(`${prefix}:jobs:cutover-paused`)).toBe(0);
    expect(await queue.count()).toBe(expected.translated + others.length);

    const before = await snapshot(queue);
    const again = await cutoverQueuedJobs({ redis, prefix, translateUserIds: translateWith(database) });
    expect(again).toMatchObject({ found: 0, translated: 0, quarantined: 0 });
    expect(await snapshot(queue)).toEqual(before);
    expect(formatQueuedJobsCutoverReport(again)).toContain('nothing to do');
  });

  test('a dry run classifies every legacy job and writes nothing: Redis is byte-identical afterwards', async ({
    database,
    redis,
    prefix,
    queue,
  }) => {
    const seeded = await seedLegacyJobs(queue, database, 300);
    await seedOtherJobs(queue);
    await queue.close();
    const before = await redisSnapshot(redis, prefix);
    expect(before.has(`${prefix}:jobs:meta`)).toBe(true);
    await redis.del(`${prefix}:jobs:meta`);
    const withoutMeta = await redisSnapshot(redis, prefix);

    const report = await migrateQueuedJobs({ redis, orm: database.orm, prefix, dryRun: true });
    expect(report).toMatchObject({ dryRun: true, ...expectedCounts(seeded) });
    expect(await redisSnapshot(redis, prefix)).toEqual(withoutMeta);
    expect(formatQueuedJobsCutoverReport(report)).toContain('dry run: nothing changed');
  });

  test('converges after a failure midway: the rerun finishes, nothing is lost or duplicated', async ({
    database,
    redis,
    prefix,
    queue,
  }) => {
    const seeded = await seedLegacyJobs(queue, database, 1000);
    let calls = 0;
    const failing: TranslateUserIds = async (ids) => {
      calls += 1;
      if (calls === 2) throw new Error('connection to PostgreSQL lost');
      return translateWith(database)(ids);
    };
    await expect(
      cutoverQueuedJobs({ redis, prefix, translateUserIds: failing, batchSize: 200 }),
    ).rejects.toThrow('connection to PostgreSQL lost');
    expect(await queue.isPaused()).toBe(true);

    // The window between "add the translation" and "remove the original": both exist.
    const pending = seeded
      .slice(600)
      .find(
        (job) =>
          job.expected.kind === 'translate' &&
          job.name === 'export_user_data' &&
          !job.opts.delay &&
          !job.opts.priority,
      ) as Seeded;
    expect(await queue.getJob(pending.id)).toBeDefined();
    await queue.add('export-user-data', (pending.expected as { data: object }).data, {
      jobId: `legacy-${pending.id}`,
      timestamp: pending.timestamp,
      attempts: pending.opts.attempts as number,
    });

    const rerun = await cutoverQueuedJobs({
      redis,
      prefix,
      translateUserIds: translateWith(database),
      batchSize: 200,
    });
    expect(rerun.found).toBeGreaterThan(0);
    expect(rerun.found).toBeLessThan(seeded.length);
    await expectCutoverDone(queue, seeded);
    expect(await queue.count()).toBe(expectedCounts(seeded).translated);
    expect(await queue.isPaused()).toBe(false);
  });

  test('converges after the process is killed midway (SIGKILL): nothing is lost or duplicated', async ({
    database,
    redis,
    prefix,
    queue,
  }) => {
    const seeded = await seedLegacyJobs(queue, database, 3000);
    const child = spawnStep(topology, database, prefix, 10);
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    for await (const line of lines) {
      if (line.startsWith('progress ')) break;
    }
    child.kill('SIGKILL');
    const [, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    expect(signal).toBe('SIGKILL');
    expect(await queue.isPaused()).toBe(true);

    const rerun = await migrateQueuedJobs({ redis, orm: database.orm, prefix, batchSize: 100 });
    expect(rerun.found).toBeGreaterThan(0);
    expect(rerun.found).toBeLessThan(seeded.length);
    await expectCutoverDone(queue, seeded);
    expect(await queue.count()).toBe(expectedCounts(seeded).translated);
    expect(await queue.isPaused()).toBe(false);
  });

  test('leaves a queue that an operator had paused paused', async ({ database, redis, prefix, queue }) => {
    await seedLegacyJobs(queue, database, 30);
    await queue.pause();
    const report = await cutoverQueuedJobs({ redis, prefix, translateUserIds: translateWith(database) });
    expect(report.found).toBe(30);
    expect(await queue.isPaused()).toBe(true);
  });

  test('removes a translated legacy job with its deduplication key, so the id can be used again', async ({
    database,
    redis,
    prefix,
    queue,
  }) => {
    const job = await queue.add('export_user_data', { userId: 1 }, { deduplication: { id: 'old-export-1' } });
    const dedupKey = queue.toKey('de:old-export-1');
    expect(await redis.get(dedupKey)).toBe(job.id);
    const report = await cutoverQueuedJobs({ redis, prefix, translateUserIds: translateWith(database) });
    expect(report).toMatchObject({ found: 1, translated: 1 });
    expect(await redis.exists(dedupKey)).toBe(0);
    expect(await queue.getJob(job.id as string)).toBeUndefined();
    expect((await queue.getJob(`legacy-${job.id}`))?.name).toBe('export-user-data');
  });

  test('keeps quarantined jobs retryable like any failed job', async ({ database, redis, prefix, queue }) => {
    const [job] = await queue.addBulk([{ name: 'purge_user_sessions', data: { userId: UNMAPPED_USER } }]);
    await cutoverQueuedJobs({ redis, prefix, translateUserIds: translateWith(database) });
    const failed = await queue.getJob(job?.id as string);
    expect(await failed?.getState()).toBe('failed');
    await failed?.retry('failed');
    expect(await queue.getJobState(job?.id as string)).toBe('waiting');
  });

  test('quarantines a legacy job whose payload is not even JSON, keeping it as it was', async ({
    database,
    redis,
    prefix,
    queue,
  }) => {
    const [job] = await queue.addBulk([{ name: 'export_user_data', data: { userId: 1 } }]);
    await redis.hset(queue.toKey(job?.id as string), 'data', '{not json');
    const report = await cutoverQueuedJobs({ redis, prefix, translateUserIds: translateWith(database) });
    expect(report.byCause['malformed-payload']).toBe(1);
    expect(await redis.hget(queue.toKey(job?.id as string), 'data')).toBe('{not json');
    expect(await queue.getJobState(job?.id as string)).toBe('failed');
  });

  test('reports legacy jobs that an old worker is still running, and leaves them alone', async ({
    database,
    redis,
    prefix,
    queue,
  }) => {
    await queue.add('export_user_data', { userId: 1 }, DEFAULT_JOB_OPTIONS);
    const oldWorkerConnection = createRedisClient(topology.target, { maxRetriesPerRequest: null });
    const { Worker } = await import('bullmq');
    const oldWorker = new Worker('jobs', null, { connection: oldWorkerConnection, prefix });
    try {
      const active = await oldWorker.getNextJob('old-worker-token');
      expect(active?.name).toBe('export_user_data');
      const report = await cutoverQueuedJobs({ redis, prefix, translateUserIds: translateWith(database) });
      expect(report).toMatchObject({ found: 0, activeLegacy: 1 });
      expect(formatQueuedJobsCutoverReport(report)).toContain('1 legacy jobs are active');
    } finally {
      await oldWorker.close(true);
      oldWorkerConnection.disconnect();
    }
  });

  test('migrates the backlog that the demo seeds (seedLegacyJobs) to the counts it announced', async ({
    database,
    redis,
    prefix,
    queue,
  }) => {
    const added = await seedDemoBacklog({
      redis,
      prefix,
      legacyUserIds: [...database.mapping.keys()],
      count: 2000,
    });
    expect(Object.values(added).reduce((sum, count) => sum + count, 0)).toBe(2000);
    const report = await cutoverQueuedJobs({ redis, prefix, translateUserIds: translateWith(database) });
    expect(report.found).toBe(2000);
    expect(report.byCause).toEqual({
      'token-not-mappable': added.send_verification_email + added.send_password_reset,
      'user-not-mapped': 100,
      'malformed-payload': 0,
    });
    expect(report.translated).toBe(
      added.export_user_data + added.purge_user_sessions - 100 + added.cleanup_expired_tokens,
    );
    expect(await queue.count()).toBe(report.translated);
    expect(await queue.getFailedCount()).toBe(report.quarantined);
  });
});

function spawnStep(
  topology: RedisTopology,
  database: MappedDatabase,
  prefix: string,
  batchSize: number,
): ChildProcess {
  return spawn(
    process.execPath,
    [
      '--conditions=@org/source',
      '--import',
      'tsx',
      fileURLToPath(new URL('fixtures/runQueuedJobsStep.ts', import.meta.url)),
    ],
    {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: {
        ...process.env,
        ...topology.env,
        DATABASE_URL: database.url,
        QUEUE_PREFIX: prefix,
        BATCH_SIZE: String(batchSize),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
}
