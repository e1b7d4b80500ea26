import { randomUUID } from 'node:crypto';
import { TokenIds, type UserId, UserIds } from '@org/db';
import { createRedisClient, type RedisClient } from '@org/sessions';
import { redisTopologies } from '@org/sessions/testing/vitest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJobProducer, type JobProducer } from './createJobProducer.js';
import { JobPayloadError } from './jobPayloadError.js';

const secret = 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5';

describe.each(redisTopologies())('createJobProducer on $name Redis', ({ name, target }) => {
  let redis: RedisClient;
  let jobs: JobProducer;

  beforeEach(() => {
    redis = createRedisClient(target, { maxRetriesPerRequest: null });
    // On a cluster every key of a queue must share a slot: the prefix carries a hash tag.
    const prefix = name === 'cluster' ? `{test-${randomUUID()}}` : `test-${randomUUID()}`;
    jobs = createJobProducer({ connection: redis, prefix, queueName: 'jobs' });
  });

  afterEach(async () => {
    await jobs.queue.obliterate({ force: true });
    await jobs.close();
    redis.disconnect();
  });

  it('adds a parsed payload with the catalog options (retries with jittered backoff, bounded retention)', async () => {
    const userId = UserIds.newId();
    const tokenId = TokenIds.newId();
    const { id, name } = await jobs.enqueue('send-verification-email', { userId, tokenId, secret });
    expect({ id, name }).toEqual({ id: `verify-email.${tokenId}`, name: 'send-verification-email' });
    const job = await jobs.queue.getJob(id);
    expect(job?.data).toEqual({ userId, tokenId, secret });
    expect(job?.opts).toMatchObject({
      attempts: 8,
      backoff: { type: 'exponential', delay: 2000, jitter: 0.5 },
      removeOnComplete: { age: 86_400, count: 1000 },
      removeOnFail: { age: 2_592_000, count: 10_000 },
    });
  });

  it('adds one job when the same token is enqueued twice', async () => {
    const payload = { userId: UserIds.newId(), tokenId: TokenIds.newId(), secret };
    const first = await jobs.enqueue('send-password-reset', payload);
    const second = await jobs.enqueue('send-password-reset', payload);
    expect(second.id).toBe(first.id);
    expect(await jobs.queue.getWaitingCount()).toBe(1);
  });

  it('collapses exports of one user while one is pending, but never session purges', async () => {
    const userId = UserIds.newId();
    await jobs.enqueue('export-user-data', { userId });
    await jobs.enqueue('export-user-data', { userId });
    await jobs.enqueue('export-user-data', { userId: UserIds.newId() });
    await jobs.enqueue('purge-user-sessions', { userId });
    await jobs.enqueue('purge-user-sessions', { userId });
    const names = (await jobs.queue.getWaiting()).map((job) => job.name).sort();
    expect(names).toEqual([
      'export-user-data',
      'export-user-data',
      'purge-user-sessions',
      'purge-user-sessions',
    ]);
  });

  it('rejects a bad payload with a typed error before anything reaches Redis', async () => {
    const wrong = { userId: 123 } as unknown as { userId: UserId };
    const attempt = jobs.enqueue('export-user-data', wrong);
    await expect(attempt).rejects.toBeInstanceOf(JobPayloadError);
    await expect(attempt).rejects.toThrow('userId: expected a UUIDv6 string, got number 123');
    expect(await jobs.queue.count()).toBe(0);
  });

  it('passes delay and priority through', async () => {
    const { id } = await jobs.enqueue('purge-user-sessions', { userId: UserIds.newId() }, { delay: 60_000 });
    expect(await jobs.queue.getJobState(id)).toBe('delayed');
    const prioritized = await jobs.enqueue('cleanup-expired-tokens', {}, { priority: 5 });
    expect(await jobs.queue.getJobState(prioritized.id)).toBe('prioritized');
  });

  it('makes a wrong payload a compile error', () => {
    // Type-level checks: `pnpm typecheck` fails if any of these lines compiles.
    const typeChecks = () => {
      // @ts-expect-error an integer user id
      void jobs.enqueue('export-user-data', { userId: 123 });
      // @ts-expect-error a plain string is not a UserId
      void jobs.enqueue('export-user-data', { userId: 'abc' });
      // @ts-expect-error a token id where a user id is expected
      void jobs.enqueue('purge-user-sessions', { userId: TokenIds.newId() });
      // @ts-expect-error the email jobs need the secret
      void jobs.enqueue('send-verification-email', { userId: UserIds.newId(), tokenId: TokenIds.newId() });
      // @ts-expect-error unknown job name
      void jobs.enqueue('send_verification_email', { userId: UserIds.newId() });
    };
    expect(typeChecks).toBeTypeOf('function');
  });
});
