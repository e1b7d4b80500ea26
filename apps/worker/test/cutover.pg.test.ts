import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { translateLegacyUserIds, type UserId, UserIds } from '@org/db';
import { DEFAULT_JOB_OPTIONS, JOBS_QUEUE } from '@org/jobs';
import { type JobsOptions, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  cutoverQueuedJobs,
  type QuarantineCause,
  type QueuedJobsCutoverOptions,
} from '../src/cutoverQueuedJobs.js';
import { formatCutoverReport } from '../src/formatCutoverReport.js';
import { migrateQueuedJobs, RedisUnavailableError } from '../src/migrateQueuedJobs.js';
import { seedLegacyJobs as seedDemoBacklog } from '../src/seedLegacyJobs.js';
import { openDatabase, REDIS_URL } from './harness.js';

const MAPPED_USERS = 300;
const UNMAPPED_USER = 900_001;
const LEGACY_JOBS = 3000;

let database: Awaited<ReturnType<typeof openDatabase>>;
const mapping = new Map<number, UserId>();
let redis: Redis;
let prefix: string;
let queue: Queue;

beforeAll(async () => {
  database = await openDatabase();
  const rows: string[] = [];
  for (let legacyId = 1; legacyId <= MAPPED_USERS; legacyId += 1) {
    const userId = UserIds.newId();
    mapping.set(legacyId, userId);
    rows.push(`(${legacyId}, '${userId}')`);
  }
  await database.orm.em
    .getConnection()
    .execute(`INSERT INTO legacy_user_ids (legacy_id, user_id) VALUES ${rows.join(', ')}`);
});
afterAll(() => database.close());

beforeEach(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  prefix = `test-${randomUUID()}`;
  queue = new Queue(JOBS_QUEUE, { connection: redis, prefix });
});
afterEach(async () => {
  await queue.obliterate({ force: true });
  const leftovers = await redis.keys(`${prefix}:*`);
  if (leftovers.length > 0) await redis.del(...leftovers);
  await queue.close();
  redis.disconnect();
});

type Expected =
  | { kind: 'translate'; target: string; data: Record<string, unknown> }
  | { kind: 'quarantine'; cause: string; reason: RegExp };

interface Seeded {
  id: string;
  timestamp: number;
  name: string;
  data: unknown;
  opts: JobsOptions;
  expected: Expected;
}

/** A realistic legacy backlog: every legacy job kind, in waiting, delayed and prioritized states. */
async function seedLegacyJobs(count = LEGACY_JOBS): Promise<Seeded[]> {
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
      const name = kind === 7 ? 'send_verification_email' : 'send_password_reset';
      plan.push({
        name,
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
  const jobs = await queue.addBulk(plan.map(({ name, data, opts }) => ({ name, data, opts })));
  return jobs.map((job, index) => ({
    ...(plan[index] as Omit<Seeded, 'id' | 'timestamp'>),
    id: job.id as string,
    timestamp: job.timestamp,
  }));
}

function translateTo(target: string, legacyUserId: number): Expected {
  return { kind: 'translate', target, data: { userId: mapping.get(legacyUserId) } };
}

/** Jobs that are not legacy and must come out untouched. */
async function seedOtherJobs() {
  return queue.addBulk([
    { name: 'purge-user-sessions', data: { userId: UserIds.newId() } },
    { name: 'export-user-data', data: { userId: UserIds.newId() }, opts: { delay: 60_000 } },
    { name: 'cleanup-expired-tokens', data: {}, opts: { priority: 3 } },
    { name: 'some-other-system-job', data: { userId: 42 } },
  ]);
}

/** Every job id per state, with name, data and the options the step must preserve. */
async function snapshot() {
  const result: Record<string, unknown> = { paused: await queue.isPaused() };
  for (const state of ['wait', 'delayed', 'prioritized', 'failed', 'completed', 'active'] as const) {
    const ids = (await queue.getRanges([state], 0, -1)).sort();
    const jobs = await Promise.all(ids.map((id) => queue.getJob(id)));
    result[state] = jobs.map((job) => [job?.id, job?.name, job?.data, job?.opts.priority, job?.failedReason]);
  }
  return result;
}

const translate: QueuedJobsCutoverOptions['translateUserIds'] = (ids) =>
  translateLegacyUserIds(database.orm, ids);

function expectedCounts(seeded: Seeded[]) {
  const quarantined = seeded.filter((job) => job.expected.kind === 'quarantine');
  const byCause: Record<QuarantineCause, number> = {
    'token-not-mappable': 0,
    'user-not-mapped': 0,
    'malformed-payload': 0,
  };
  for (const job of quarantined) byCause[(job.expected as { cause: QuarantineCause }).cause] += 1;
  return {
    found: seeded.length,
    translated: seeded.length - quarantined.length,
    quarantined: quarantined.length,
    byCause,
  };
}

async function expectCutoverDone(seeded: Seeded[]) {
  for (const legacy of seeded) {
    const original = await queue.getJob(legacy.id);
    if (legacy.expected.kind === 'translate') {
      expect(original).toBeUndefined();
      const job = await queue.getJob(`legacy-${legacy.id}`);
      expect(job?.name).toBe(legacy.expected.target);
      expect(job?.data).toEqual(legacy.expected.data);
      expect(job?.opts.attempts).toBe(legacy.opts.attempts);
      expect(job?.opts.priority ?? undefined).toBe(legacy.opts.priority);
      expect(job?.timestamp).toBe(legacy.timestamp);
      const state = await job?.getState();
      if (legacy.opts.delay) {
        expect(state).toBe('delayed');
        expect(job?.delay).toBe(legacy.opts.delay);
      } else {
        expect(state).toBe(legacy.opts.priority ? 'prioritized' : 'waiting');
      }
    } else {
      expect(await original?.getState()).toBe('failed');
      expect(original?.name).toBe(legacy.name);
      expect(original?.data).toEqual(legacy.data);
      expect(original?.failedReason).toMatch(legacy.expected.reason);
      expect(await queue.getJob(`legacy-${legacy.id}`)).toBeUndefined();
    }
  }
}

describe('cutoverQueuedJobs', () => {
  it(`translates or quarantines all ${LEGACY_JOBS} legacy jobs, loses none, touches nothing else, and is a no-op the second time`, async () => {
    const seeded = await seedLegacyJobs();
    const others = await seedOtherJobs();
    const othersBefore = await Promise.all(
      others.map(async (job) => [job.id, job.name, job.data, await job.getState()]),
    );

    const report = await cutoverQueuedJobs({ redis, prefix, translateUserIds: translate });
    const expected = expectedCounts(seeded);
    expect(report).toMatchObject({ step: 'queued-jobs', dryRun: false, ...expected, activeLegacy: 0 });
    expect(report.queues).toEqual([{ queue: JOBS_QUEUE, ...expected, activeLegacy: 0 }]);
    expect(report.translated + report.quarantined).toBe(LEGACY_JOBS);
    expect(expected.byCause['user-not-mapped']).toBeGreaterThan(0);
    expect(expected.byCause['malformed-payload']).toBeGreaterThan(0);

    await expectCutoverDone(seeded);
    const othersAfter = await Promise.all(
      others.map(async (job) => {
        const current = await queue.getJob(job.id as string);
        return [current?.id, current?.name, current?.data, await current?.getState()];
      }),
    );
    expect(othersAfter).toEqual(othersBefore);
    expect(await queue.isPaused()).toBe(false);
    expect(await redis.exists(`${prefix}:${JOBS_QUEUE}:cutover-paused`)).toBe(0);
    expect(await queue.count()).toBe(expected.translated + others.length);

    const before = await snapshot();
    const again = await cutoverQueuedJobs({ redis, prefix, translateUserIds: translate });
    expect(again).toMatchObject({ found: 0, translated: 0, quarantined: 0 });
    expect(await snapshot()).toEqual(before);
    expect(formatCutoverReport(again)).toContain('nothing to do');
  });

  it('--dry-run classifies every legacy job and changes nothing', async () => {
    const seeded = await seedLegacyJobs(300);
    await seedOtherJobs();
    const before = await snapshot();
    const report = await cutoverQueuedJobs({ redis, prefix, translateUserIds: translate, dryRun: true });
    expect(report).toMatchObject({ dryRun: true, ...expectedCounts(seeded) });
    expect(await snapshot()).toEqual(before);
    expect(formatCutoverReport(report)).toContain('dry run: nothing changed');
  });

  it('converges after a crash midway: the rerun finishes, nothing is lost or duplicated', async () => {
    const seeded = await seedLegacyJobs(1000);
    let calls = 0;
    const crashing: QueuedJobsCutoverOptions['translateUserIds'] = async (ids) => {
      calls += 1;
      if (calls === 2) throw new Error('connection to PostgreSQL lost');
      return translate(ids);
    };
    await expect(
      cutoverQueuedJobs({ redis, prefix, translateUserIds: crashing, batchSize: 200 }),
    ).rejects.toThrow('connection to PostgreSQL lost');
    expect(await queue.isPaused()).toBe(true);
    expect(await queue.count()).toBeGreaterThan(0);

    // The crash window between "add the new job" and "remove the legacy one": both exist.
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

    const rerun = await cutoverQueuedJobs({ redis, prefix, translateUserIds: translate, batchSize: 200 });
    expect(rerun.found).toBeGreaterThan(0);
    expect(rerun.found).toBeLessThan(seeded.length);
    await expectCutoverDone(seeded);
    const expected = expectedCounts(seeded);
    expect(await queue.getFailedCount()).toBe(expected.quarantined);
    expect(await queue.count()).toBe(expected.translated);
    expect(await queue.isPaused()).toBe(false);
    expect((await cutoverQueuedJobs({ redis, prefix, translateUserIds: translate })).found).toBe(0);
  });

  it('leaves a queue that an operator had paused paused', async () => {
    await seedLegacyJobs(30);
    await queue.pause();
    const report = await cutoverQueuedJobs({ redis, prefix, translateUserIds: translate });
    expect(report.found).toBe(30);
    expect(await queue.isPaused()).toBe(true);
  });

  it('keeps quarantined jobs retryable like any failed job', async () => {
    const [job] = await queue.addBulk([{ name: 'purge_user_sessions', data: { userId: UNMAPPED_USER } }]);
    await cutoverQueuedJobs({ redis, prefix, translateUserIds: translate });
    const failed = await queue.getJob(job?.id as string);
    expect(await failed?.getState()).toBe('failed');
    await failed?.retry('failed');
    expect(await queue.getJobState(job?.id as string)).toBe('waiting');
  });

  it('reports legacy jobs that an old worker is still running, and leaves them alone', async () => {
    await queue.add('export_user_data', { userId: 1 }, DEFAULT_JOB_OPTIONS);
    const oldWorkerConnection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const { Worker } = await import('bullmq');
    const oldWorker = new Worker(JOBS_QUEUE, null, { connection: oldWorkerConnection, prefix });
    const active = await oldWorker.getNextJob('old-worker-token');
    expect(active?.name).toBe('export_user_data');
    const report = await cutoverQueuedJobs({ redis, prefix, translateUserIds: translate });
    expect(report).toMatchObject({ found: 0, activeLegacy: 1 });
    expect(formatCutoverReport(report)).toContain('1 legacy jobs are active');
    await oldWorker.close(true);
    oldWorkerConnection.disconnect();
  });

  it('runs as the `migrate` command: --dry-run --json, then --json, then a no-op', async () => {
    const seeded = await seedLegacyJobs(100);
    const run = async (...args: string[]) => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--conditions=@org/source', '--import', 'tsx', 'src/migrateCli.ts', ...args],
        {
          cwd: new URL('..', import.meta.url),
          env: { ...process.env, REDIS_URL, DATABASE_URL: database.url, QUEUE_PREFIX: prefix },
        },
      );
      return stdout;
    };
    const expected = expectedCounts(seeded);
    expect(JSON.parse(await run('--dry-run', '--json'))).toMatchObject({ dryRun: true, ...expected });
    expect(await queue.getFailedCount()).toBe(0);
    expect(JSON.parse(await run('--json'))).toMatchObject({ dryRun: false, ...expected });
    expect(await queue.getFailedCount()).toBe(expected.quarantined);
    expect(await run()).toContain('nothing to do');
  });

  it('migrates the backlog that the demo seeds (seedLegacyJobs) to the counts it announced', async () => {
    const legacyUserIds = [...mapping.keys()];
    const added = await seedDemoBacklog({ redis, prefix, legacyUserIds, count: 2000 });
    const total = Object.values(added).reduce((sum, count) => sum + count, 0);
    expect(total).toBe(2000);
    const report = await cutoverQueuedJobs({ redis, prefix, translateUserIds: translate });
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

  it('fails fast and clearly when Redis is unreachable, changing nothing', async () => {
    const attempt = migrateQueuedJobs({ redisUrl: 'redis://127.0.0.1:1', orm: database.orm });
    await expect(attempt).rejects.toBeInstanceOf(RedisUnavailableError);
    await expect(attempt).rejects.toThrow(
      /cannot reach Redis at redis:\/\/127.0.0.1:1: connect ECONNREFUSED/,
    );
  });
});
