import { TokenIds, type UserId, UserIds, VerificationToken } from '@org/db';
import { redisTopologies } from '@org/sessions/testing/vitest';
import { Cluster, Redis } from 'ioredis';
import { describe, expect } from 'vitest';
import { readMailbox } from '../src/mail/fileMailTransport.js';
import type { MailTransport } from '../src/mail/mailTransport.js';
import { createSmtpMailTransport } from '../src/mail/smtpMailTransport.js';
import {
  createExport,
  createToken,
  createUser,
  createUserWithToken,
  REDIS_URL,
  settled,
  workerTest as test,
  workerTestOn,
} from './harness.js';

// The cases that exercise Redis (enqueue -> process -> complete / retry / fail, the delivery ledger, the
// session store) run on one Redis and on the run's 3-master Redis Cluster (issue 14); the rest once.
const topologies = redisTopologies();
const clusterTarget = topologies.find((topology) => topology.name === 'cluster')?.target;
if (!clusterTarget) throw new Error('redisTopologies() has no cluster');
const topologyTests = { single: test, cluster: workerTestOn(clusterTarget) };

describe.each(topologies)('send-verification-email / send-password-reset on $name Redis', ({ name }) => {
  const test = topologyTests[name];

  test('runs on the topology it names: producer, worker and job keys on that Redis only', async ({
    database,
    harness,
  }) => {
    expect(harness.redis instanceof Cluster).toBe(name === 'cluster');
    expect(harness.prefix.startsWith('{')).toBe(name === 'cluster');
    const { payload } = await createUserWithToken(database.orm);
    harness.startWorker();
    const { id } = await harness.jobs.enqueue('send-verification-email', payload);
    // Processed: the worker reads the queue the producer wrote, on the same Redis.
    expect((await settled(harness.queue, id)).returnvalue).toMatchObject({ status: 'sent' });
    const jobKey = `${harness.prefix}:${harness.queueName}:${id}`;
    const single = new Redis(REDIS_URL);
    try {
      expect(await harness.redis.exists(jobKey)).toBe(1);
      expect(await single.exists(jobKey)).toBe(name === 'single' ? 1 : 0);
    } finally {
      single.disconnect();
    }
  });

  test('delivers the verification link to the user, records it and drops the secret from the job', async ({
    database,
    harness,
  }) => {
    const { user, token, secret, payload } = await createUserWithToken(database.orm, {
      user: { firstName: 'Grace' },
    });
    harness.startWorker();
    const { id } = await harness.jobs.enqueue('send-verification-email', payload);
    const job = await settled(harness.queue, id);

    expect(job.returnvalue).toEqual({
      status: 'sent',
      messageId: `<send-verification-email.${token.id}@worker.local>`,
    });
    const mails = await readMailbox(harness.mailDir);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to: user.email, subject: 'Confirm your email address' });
    expect(mails[0]?.text).toContain(`https://app.example.test/verify?token=${secret}`);
    expect(mails[0]?.text).toContain('Hello Grace,');
    expect(job.data).toEqual({ userId: user.id, tokenId: token.id });
    expect(await harness.deps.ledger.read(token.id)).toMatch(/^sent:/);
  });

  test('delivers a password reset link for a password_reset token', async ({ database, harness }) => {
    const { secret, payload } = await createUserWithToken(database.orm, {
      token: { purpose: 'password_reset' },
    });
    harness.startWorker();
    const { id } = await harness.jobs.enqueue('send-password-reset', payload);
    expect((await settled(harness.queue, id)).returnvalue).toMatchObject({ status: 'sent' });
    const [mail] = await readMailbox(harness.mailDir);
    expect(mail?.subject).toBe('Reset your password');
    expect(mail?.html).toContain(`https://app.example.test/reset?token=${secret}`);
  });

  test.for([
    ['token-used', { usedAt: new Date() }, {}],
    ['token-expired', { expiresAt: new Date(Date.now() - 1000) }, {}],
    ['user-inactive', {}, { isActive: false }],
  ] as const)('sends nothing when %s', async ([reason, tokenOptions, userOptions], { database, harness }) => {
    const { payload } = await createUserWithToken(database.orm, {
      user: userOptions,
      token: tokenOptions,
    });
    harness.startWorker();
    const { id } = await harness.jobs.enqueue('send-verification-email', payload);
    expect((await settled(harness.queue, id)).returnvalue).toEqual({ status: 'skipped', reason });
    expect(await readMailbox(harness.mailDir)).toEqual([]);
  });

  test.for([
    [
      'a secret that does not match the token hash',
      'wrong-secret',
      'password_reset',
      'send-password-reset',
      /secret does not match the hash of token/,
    ],
    [
      'a token of the other purpose',
      undefined,
      'password_reset',
      'send-verification-email',
      /is a password_reset token, not for send-verification-email/,
    ],
  ] as const)(
    'fails at once, without retries, on %s',
    async ([, secretOverride, purpose, name, reason], { database, harness }) => {
      const { user, token, secret } = await createUserWithToken(database.orm, {
        token: { purpose },
      });
      harness.startWorker();
      const { id } = await harness.jobs.enqueue(name, {
        userId: user.id,
        tokenId: token.id,
        secret: secretOverride ?? secret,
      });
      const job = await settled(harness.queue, id);
      expect(await job.getState()).toBe('failed');
      expect(job.failedReason).toMatch(reason);
      expect(job.attemptsMade).toBe(1);
      expect(job.data).not.toHaveProperty('secret');
      expect(await readMailbox(harness.mailDir)).toEqual([]);
    },
  );

  test('fails at once when the token belongs to another user', async ({ database, harness }) => {
    const owner = await createUser(database.orm);
    const other = await createUser(database.orm);
    const { token, secret } = await createToken(database.orm, owner.id);
    harness.startWorker();
    const { id } = await harness.jobs.enqueue('send-verification-email', {
      userId: other.id,
      tokenId: token.id,
      secret,
    });
    const job = await settled(harness.queue, id);
    expect(job.failedReason).toBe(`token ${token.id} belongs to another user than ${other.id}`);
    expect(job.attemptsMade).toBe(1);
  });

  test('retries a transient transport failure with backoff, then delivers once', async ({
    database,
    harness,
  }) => {
    const { payload } = await createUserWithToken(database.orm);
    let calls = 0;
    const flaky: MailTransport = {
      kind: 'flaky',
      async deliver(message) {
        calls += 1;
        if (calls <= 2) throw new Error('ECONNREFUSED mail server');
        await harness.deps.transport.deliver(message);
      },
      wasDelivered: (messageId) => harness.deps.transport.wasDelivered?.(messageId) ?? Promise.resolve(false),
      close: async () => {},
    };
    harness.startWorker({ transport: flaky });
    const { id } = await harness.jobs.enqueue('send-verification-email', payload);
    const job = await settled(harness.queue, id);
    expect(job.returnvalue).toMatchObject({ status: 'sent' });
    expect(job.attemptsMade).toBe(3);
    expect(calls).toBe(3);
    expect(await readMailbox(harness.mailDir)).toHaveLength(1);
    const retryLines = harness.logs.filter((line) => line.msg === 'job attempt failed; will retry');
    expect(retryLines).toHaveLength(2);
  });

  test('never sends a second email for a token: re-run, duplicate job, and a transport error after delivery', async ({
    database,
    harness,
  }) => {
    const { payload } = await createUserWithToken(database.orm);
    let deliveries = 0;
    let failAfterDelivery = true;
    const counting: MailTransport = {
      kind: 'counting',
      async deliver(message) {
        deliveries += 1;
        await harness.deps.transport.deliver(message);
        if (failAfterDelivery) {
          failAfterDelivery = false;
          throw new Error('connection reset after the server accepted the message');
        }
      },
      wasDelivered: (messageId) => harness.deps.transport.wasDelivered?.(messageId) ?? Promise.resolve(false),
      close: async () => {},
    };
    harness.startWorker({ transport: counting });
    const first = await settled(
      harness.queue,
      (await harness.jobs.enqueue('send-verification-email', payload)).id,
    );
    expect(first.returnvalue).toMatchObject({ status: 'sent' });

    await first.retry('completed');
    expect((await settled(harness.queue, first.id as string)).returnvalue).toEqual({
      status: 'already-sent',
    });

    const duplicate = await harness.queue.add('send-verification-email', payload, {
      jobId: 'duplicate-of-token',
    });
    expect((await settled(harness.queue, duplicate.id as string)).returnvalue).toEqual({
      status: 'already-sent',
    });

    expect(deliveries).toBe(1);
    expect(await readMailbox(harness.mailDir)).toHaveLength(1);
  });

  test('resolves a crash between delivery and record with the file transport: no second email', async ({
    database,
    harness,
  }) => {
    const { user, token, payload } = await createUserWithToken(database.orm);
    // The state a crashed attempt leaves: the claim is taken and the message file was written.
    await harness.deps.ledger.claim(token.id, 'crashed-attempt');
    await harness.deps.transport.deliver({
      messageId: `<send-verification-email.${token.id}@worker.local>`,
      from: 'a@example.test',
      to: user.email,
      subject: 'Confirm your email address',
      text: 'first copy',
      html: 'first copy',
    });
    harness.startWorker();
    const { id } = await harness.jobs.enqueue('send-verification-email', payload);
    expect((await settled(harness.queue, id)).returnvalue).toEqual({ status: 'already-sent' });
    const mails = await readMailbox(harness.mailDir);
    expect(mails.map((mail) => mail.text)).toEqual(['first copy']);
    expect(await harness.deps.ledger.read(token.id)).toBe('sent:crashed-attempt');
  });

  test('sends when the crashed attempt had not delivered (file transport knows)', async ({
    database,
    harness,
  }) => {
    const { token, payload } = await createUserWithToken(database.orm);
    await harness.deps.ledger.claim(token.id, 'crashed-attempt');
    harness.startWorker();
    const { id } = await harness.jobs.enqueue('send-verification-email', payload);
    expect((await settled(harness.queue, id)).returnvalue).toMatchObject({ status: 'sent' });
    expect(await readMailbox(harness.mailDir)).toHaveLength(1);
  });

  test('fails for good after such a crash when the transport cannot tell (SMTP): at most one email', async ({
    database,
    harness,
  }) => {
    const { token, payload } = await createUserWithToken(database.orm);
    await harness.deps.ledger.claim(token.id, 'crashed-attempt');
    let deliveries = 0;
    const smtpLike: MailTransport = {
      kind: 'smtp-like',
      deliver: async () => {
        deliveries += 1;
      },
      close: async () => {},
    };
    harness.startWorker({ transport: smtpLike });
    const { id } = await harness.jobs.enqueue('send-verification-email', payload);
    const job = await settled(harness.queue, id);
    expect(job.failedReason).toContain('interrupted in attempt crashed-attempt');
    expect(job.attemptsMade).toBe(1);
    expect(deliveries).toBe(0);
    expect(job.data).not.toHaveProperty('secret');
  });

  test('retries an unreachable SMTP server and releases the claim each time (a later retry may send)', async ({
    database,
    harness,
  }) => {
    const { token, payload } = await createUserWithToken(database.orm);
    harness.startWorker({
      transport: createSmtpMailTransport({ host: '127.0.0.1', port: 1, secure: false }),
    });
    const { id } = await harness.jobs.enqueue('send-verification-email', payload);
    const job = await settled(harness.queue, id);
    expect(job.failedReason).toMatch(/ECONNREFUSED/);
    expect(job.attemptsMade).toBe(8);
    expect(await harness.deps.ledger.read(token.id)).toBeNull();
    expect(job.data).not.toHaveProperty('secret');
  });

  test('retries while the token row is not visible yet, and fails after the last attempt', async ({
    database,
    harness,
  }) => {
    const user = await createUser(database.orm);
    harness.startWorker();
    const tokenId = TokenIds.newId();
    const { id } = await harness.jobs.enqueue('send-verification-email', {
      userId: user.id,
      tokenId,
      secret: 'abcdefghijklmnop',
    });
    const job = await settled(harness.queue, id);
    expect(job.failedReason).toBe(`token ${tokenId} not found (not committed yet, or deleted)`);
    expect(job.attemptsMade).toBe(8);
    expect(job.data).not.toHaveProperty('secret');
  });
});

describe('payloads at the boundary', () => {
  test.for([
    [
      'export-user-data',
      { userId: 123 },
      'invalid payload for job "export-user-data": userId: expected a UUIDv6 string, got number 123',
    ],
    [
      'purge-user-sessions',
      { userId: '123' },
      'invalid payload for job "purge-user-sessions": userId: expected a UUIDv6 string, got string "123"',
    ],
    [
      'export-user-data',
      {},
      'invalid payload for job "export-user-data": userId: expected a UUIDv6 string, got nothing (field missing)',
    ],
    [
      'send-verification-email',
      { userId: 1, tokenId: 2 },
      'invalid payload for job "send-verification-email": userId: expected a UUIDv6 string, got number 1; tokenId: expected a UUIDv6 string, got number 2',
    ],
    [
      'export-user-data',
      'not an object',
      'invalid payload for job "export-user-data": payload: expected an object, got string "not an object"',
    ],
    [
      'send_verification_email',
      { userId: 123, tokenId: 4 },
      'unknown job name "send_verification_email": a legacy job with integer ids; run the queued-jobs cutover step (pnpm migrate) to translate it',
    ],
    ['resize-avatar', { userId: 1 }, 'unknown job name "resize-avatar"'],
  ] as [string, unknown, string][])(
    'fails %s %j at once, into the failed set, with the reason and the original payload',
    async ([name, data, reason], { harness }) => {
      const processed: string[] = [];
      harness.startWorker({
        store: {
          ...harness.deps.store,
          loadUserExport: async (userId) => {
            processed.push(userId);
            return null;
          },
        },
      });
      const job = await harness.queue.add(name, data, { attempts: 5, backoff: { type: 'fixed', delay: 10 } });
      const failed = await settled(harness.queue, job.id as string);
      expect(await failed.getState()).toBe('failed');
      expect(failed.failedReason).toBe(reason);
      expect(failed.attemptsMade).toBe(1);
      expect(failed.data).toEqual(data);
      expect(processed).toEqual([]);
      const line = harness.logs.find((entry) => entry.jobId === job.id);
      expect(line).toMatchObject({ job: name, userId: null, reason, msg: 'job rejected at the boundary' });
    },
  );
});

// export-user-data, remove-expired-exports and delete-accounts-past-grace: accountLifecycle.pg.test.ts.

describe.each(topologies)('purge-user-sessions on $name Redis', ({ name }) => {
  const test = topologyTests[name];

  test('ends every session of the user through the shared session store, and only theirs', async ({
    harness,
  }) => {
    const userId = UserIds.newId();
    const otherId = UserIds.newId();
    await harness.sessions.create(userId);
    await harness.sessions.create(userId);
    await harness.sessions.create(otherId);
    harness.startWorker();
    const { id } = await harness.jobs.enqueue('purge-user-sessions', { userId });
    expect((await settled(harness.queue, id)).returnvalue).toEqual({ revoked: 2 });
    expect(await harness.sessions.list(userId)).toEqual([]);
    expect(await harness.sessions.list(otherId)).toHaveLength(1);
  });

  test('keeps the session named in exceptSessionId', async ({ harness }) => {
    const userId = UserIds.newId();
    const kept = await harness.sessions.create(userId);
    await harness.sessions.create(userId);
    harness.startWorker();
    const { id } = await harness.jobs.enqueue('purge-user-sessions', {
      userId,
      exceptSessionId: kept.session.id,
    });
    expect((await settled(harness.queue, id)).returnvalue).toEqual({ revoked: 1 });
    expect((await harness.sessions.list(userId)).map((session) => session.id)).toEqual([kept.session.id]);
  });
});

describe('cleanup-expired-tokens', () => {
  test('deletes tokens expired or used before the grace period, in batches, and keeps the rest', async ({
    database,
    harness,
  }) => {
    const user = await createUser(database.orm);
    const longAgo = new Date(Date.now() - 2 * 3600_000);
    const recently = new Date(Date.now() - 60_000);
    const doomed = [
      await createToken(database.orm, user.id, { expiresAt: longAgo }),
      await createToken(database.orm, user.id, { expiresAt: longAgo }),
      await createToken(database.orm, user.id, { usedAt: longAgo }),
      await createToken(database.orm, user.id, { expiresAt: longAgo, usedAt: longAgo }),
      await createToken(database.orm, user.id, { expiresAt: longAgo, purpose: 'password_reset' }),
    ];
    const kept = [
      await createToken(database.orm, user.id),
      await createToken(database.orm, user.id, { expiresAt: recently }),
      await createToken(database.orm, user.id, { usedAt: recently }),
    ];
    harness.startWorker();
    const { id } = await harness.jobs.enqueue('cleanup-expired-tokens', {});
    // Other test users' tokens live in the same database: count only this user's.
    const job = await settled(harness.queue, id);
    expect((job.returnvalue as { deleted: number }).deleted).toBeGreaterThanOrEqual(doomed.length);
    const left = await database.orm.em.fork().find(VerificationToken, { user: user.id as UserId });
    expect(left.map((token) => token.id).sort()).toEqual(kept.map(({ token }) => token.id).sort());
  });
});

describe('logs', () => {
  test('carry the job name, job id and user UUID on every line of a job', async ({ database, harness }) => {
    const user = await createUser(database.orm);
    const pending = await createExport(database.orm, user.id);
    harness.startWorker();
    const { id } = await harness.jobs.enqueue('export-user-data', { userId: user.id, exportId: pending.id });
    await settled(harness.queue, id);
    const lines = harness.logs.filter((line) => line.jobId === id);
    expect(lines.map((line) => line.msg)).toEqual(['job started', 'user data exported', 'job completed']);
    for (const line of lines)
      expect(line).toMatchObject({ job: 'export-user-data', jobId: id, userId: user.id });
  });

  test('never print the email secret', async ({ database, harness }) => {
    const { secret, payload } = await createUserWithToken(database.orm);
    harness.startWorker();
    const { id } = await harness.jobs.enqueue('send-verification-email', payload);
    await settled(harness.queue, id);
    expect(JSON.stringify(harness.logs)).not.toContain(secret);
    expect(harness.logs.filter((line) => line.jobId === id).length).toBeGreaterThan(2);
  });
});
