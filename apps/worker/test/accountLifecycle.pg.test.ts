import {
  AccountDeletion,
  type Orm,
  SocialAccount,
  User,
  UserExport,
  type UserId,
  UserProfile,
  VerificationToken,
} from '@org/db';
import { describe, expect, it } from 'vitest';
import { createDbStore } from '../src/dbStore.js';
import { EXPORT_FORMAT } from '../src/jobs/exportUserData.js';
import { scheduleAccountLifecycle } from '../src/scheduleCleanup.js';
import {
  createExport,
  createProfileAndAccounts,
  createToken,
  createUser,
  openDatabase,
  settled,
  workerTest as test,
  workerTopologies,
} from './harness.js';

/** Any UUIDv6 (every internal key is one), hyphenated or not; test emails and uids carry v4 UUIDs. */
const UUID_V6 = /[0-9a-f]{8}-?[0-9a-f]{4}-?6[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}/i;
const HOUR = 3600_000;

/** Deactivates the user with a deletion request whose grace ends at `deleteAfter`, as `DELETE /me` does. */
async function requestDeletion(orm: Orm, userId: UserId, deleteAfter: Date): Promise<void> {
  const em = orm.em.fork();
  await em.nativeUpdate(User, { id: userId }, { isActive: false });
  em.create(AccountDeletion, { user: userId, deleteAfter });
  await em.flush();
}

/** How many rows of each table still belong to the user. */
async function rowsOf(orm: Orm, userId: UserId) {
  const em = orm.em.fork();
  return {
    users: await em.count(User, { id: userId }),
    profiles: await em.count(UserProfile, { user: userId }),
    tokens: await em.count(VerificationToken, { user: userId }),
    socialAccounts: await em.count(SocialAccount, { user: userId }),
    exports: await em.count(UserExport, { user: userId }),
    deletions: await em.count(AccountDeletion, { user: userId }),
  };
}

/** The job a scheduler enqueued under this name (schedulers add their first job at once). */
async function scheduledJobId(
  queue: Parameters<typeof scheduleAccountLifecycle>[0],
  name: string,
): Promise<string> {
  const jobs = await queue.getJobs(['wait', 'delayed', 'prioritized', 'active', 'completed', 'failed']);
  const job = jobs.find((candidate) => candidate.name === name);
  if (job?.id === undefined) throw new Error(`no ${name} job was scheduled`);
  return job.id;
}

// What goes through Redis (the session metadata an export reads, the schedulers, the sessions a deletion ends)
// on one Redis and on the run's 3-master Redis Cluster (issue 14); the cases decided in PostgreSQL once.
describe.each(workerTopologies())('on $name Redis', ({ test }) => {
  describe('export-user-data', () => {
    test('stores the archive in the pending export: account, profile, social accounts, session metadata, nothing internal', async ({
      database,
      harness,
    }) => {
      const user = await createUser(database.orm, { firstName: 'Barbara' });
      await createProfileAndAccounts(database.orm, user.id);
      const { token } = await createToken(database.orm, user.id);
      const first = await harness.sessions.create(user.id, { userAgent: 'Firefox/140', ip: '203.0.113.7' });
      const second = await harness.sessions.create(user.id, { userAgent: 'curl/8', ip: '198.51.100.2' });
      const pending = await createExport(database.orm, user.id);
      harness.startWorker();

      const { id } = await harness.jobs.enqueue('export-user-data', {
        userId: user.id,
        exportId: pending.id,
      });
      const job = await settled(harness.queue, id);

      expect(job.returnvalue).toEqual({ status: 'ready', socialAccounts: 2, sessions: 2 });
      const row = await database.orm.em.fork().findOneOrFail(UserExport, { id: pending.id });
      expect(row.status).toBe('ready');
      expect(row.completedAt).toBeInstanceOf(Date);
      const archive = row.archive as Record<string, unknown> & {
        account: Record<string, unknown>;
        socialAccounts: { provider: string; extraData: unknown }[];
        sessions: { userAgent: string; ip: string }[];
      };
      expect(archive).toMatchObject({
        format: EXPORT_FORMAT,
        account: { slug: user.slug, email: user.email, firstName: 'Barbara', lastName: 'Lovelace' },
        profile: { displayName: 'Ada L.', bio: 'Analyst', avatarUrl: null },
      });
      expect(archive.socialAccounts.map((account) => account.provider).sort()).toEqual(['github', 'google']);
      expect(archive.socialAccounts.find((account) => account.provider === 'github')?.extraData).toEqual({
        login: 'ada',
        nested: { plan: 'free' },
      });
      expect(archive.sessions.map((session) => [session.userAgent, session.ip]).sort()).toEqual([
        ['Firefox/140', '203.0.113.7'],
        ['curl/8', '198.51.100.2'],
      ]);

      const raw = JSON.stringify(archive);
      const em = database.orm.em.fork();
      const internal = [
        user.id,
        pending.id,
        token.id,
        token.tokenHash,
        first.session.id,
        first.token,
        second.session.id,
        second.token,
        ...(await em.find(SocialAccount, { user: user.id })).map((account) => account.id),
        ...(await em.find(UserProfile, { user: user.id })).map((profile) => profile.id),
      ];
      for (const value of internal) expect(raw).not.toContain(value);
      expect(raw).not.toMatch(UUID_V6);
      for (const secret of ['password', 'pbkdf2', 'tokenHash', 'token_hash', 'gho_secret', 'refreshToken']) {
        expect(raw).not.toContain(secret);
      }
    });
  });

  describe('remove-expired-exports', () => {
    test('the scheduler removes expired exports with their archives and keeps the others', async ({
      database,
      harness,
    }) => {
      const user = await createUser(database.orm);
      const expired = await createExport(database.orm, user.id, { expiresAt: new Date(Date.now() - HOUR) });
      await database.orm.em
        .fork()
        .nativeUpdate(
          UserExport,
          { id: expired.id },
          { status: 'ready', archive: { format: EXPORT_FORMAT } },
        );
      await createExport(database.orm, user.id, {
        expiresAt: new Date(Date.now() - 1000),
      });
      const live = await createExport(database.orm, user.id);
      await scheduleAccountLifecycle(harness.queue, HOUR);
      harness.startWorker();

      const job = await settled(harness.queue, await scheduledJobId(harness.queue, 'remove-expired-exports'));

      expect((job.returnvalue as { deleted: number }).deleted).toBeGreaterThanOrEqual(2);
      const left = await database.orm.em.fork().find(UserExport, { user: user.id });
      expect(left.map((row) => row.id)).toEqual([live.id]);
    });
  });

  describe('delete-accounts-past-grace', () => {
    test('the scheduler deletes accounts past their grace with everything that cascades, and no other', async ({
      database,
      harness,
    }) => {
      const doomed = await createUser(database.orm);
      await createProfileAndAccounts(database.orm, doomed.id);
      await createToken(database.orm, doomed.id);
      await createExport(database.orm, doomed.id);
      await requestDeletion(database.orm, doomed.id, new Date(Date.now() - 1000));
      // A session created in a race with the deactivation: the deletion ends it too.
      await harness.sessions.create(doomed.id);
      await database.orm.em
        .fork()
        .execute(
          'insert into legacy_user_ids (legacy_id, user_id) values (?, ?)',
          [990_001, doomed.id],
          'run',
        );

      const inGrace = await createUser(database.orm);
      await createProfileAndAccounts(database.orm, inGrace.id);
      await requestDeletion(database.orm, inGrace.id, new Date(Date.now() + HOUR));
      const active = await createUser(database.orm);
      await createProfileAndAccounts(database.orm, active.id);

      const before = await rowsOf(database.orm, doomed.id);
      expect(before).toEqual({
        users: 1,
        profiles: 1,
        tokens: 1,
        socialAccounts: 2,
        exports: 1,
        deletions: 1,
      });
      await scheduleAccountLifecycle(harness.queue, HOUR);
      harness.startWorker();

      const job = await settled(
        harness.queue,
        await scheduledJobId(harness.queue, 'delete-accounts-past-grace'),
      );

      expect((job.returnvalue as { deleted: number }).deleted).toBeGreaterThanOrEqual(1);
      expect(await rowsOf(database.orm, doomed.id)).toEqual({
        users: 0,
        profiles: 0,
        tokens: 0,
        socialAccounts: 0,
        exports: 0,
        deletions: 0,
      });
      expect(await harness.sessions.list(doomed.id)).toEqual([]);
      const mapped = await database.orm.em
        .fork()
        .execute<{ n: string }[]>(
          'select count(*) as n from legacy_user_ids where legacy_id = ?',
          [990_001],
          'all',
        );
      expect(Number(mapped[0]?.n)).toBe(0);
      expect(await rowsOf(database.orm, inGrace.id)).toMatchObject({ users: 1, profiles: 1, deletions: 1 });
      expect(await rowsOf(database.orm, active.id)).toMatchObject({ users: 1, profiles: 1, deletions: 0 });
    });
  });
});

describe('export-user-data', () => {
  test('stores nothing in an export that expired before its job ran', async ({ database, harness }) => {
    const user = await createUser(database.orm);
    const expired = await createExport(database.orm, user.id, { expiresAt: new Date(Date.now() - 1000) });
    harness.startWorker();
    const { id } = await harness.jobs.enqueue('export-user-data', { userId: user.id, exportId: expired.id });
    expect((await settled(harness.queue, id)).returnvalue).toEqual({
      status: 'skipped',
      reason: 'export-gone',
    });
    const row = await database.orm.em.fork().findOneOrFail(UserExport, { id: expired.id });
    expect(row).toMatchObject({ status: 'pending', archive: null });
  });

  test("never fills another user's export", async ({ database, harness }) => {
    const owner = await createUser(database.orm);
    const other = await createUser(database.orm);
    const pending = await createExport(database.orm, owner.id);
    harness.startWorker();
    const { id } = await harness.jobs.enqueue('export-user-data', { userId: other.id, exportId: pending.id });
    expect((await settled(harness.queue, id)).returnvalue).toEqual({
      status: 'skipped',
      reason: 'export-gone',
    });
    expect((await database.orm.em.fork().findOneOrFail(UserExport, { id: pending.id })).archive).toBeNull();
  });

  test('skips a legacy job (translated by the queued-jobs cutover) that names no export', async ({
    database,
    harness,
  }) => {
    const user = await createUser(database.orm);
    harness.startWorker();
    const { id } = await harness.jobs.enqueue('export-user-data', { userId: user.id });
    expect((await settled(harness.queue, id)).returnvalue).toEqual({
      status: 'skipped',
      reason: 'no-export-row',
    });
    expect(await database.orm.em.fork().count(UserExport, { user: user.id })).toBe(0);
  });

  test('fails at once for a user that does not exist', async ({ database, harness }) => {
    const gone = await createUser(database.orm);
    const pending = await createExport(database.orm, gone.id);
    await database.orm.em.fork().nativeDelete(User, { id: gone.id });
    harness.startWorker();
    const { id } = await harness.jobs.enqueue('export-user-data', { userId: gone.id, exportId: pending.id });
    const job = await settled(harness.queue, id);
    expect(job.failedReason).toBe(`user ${gone.id} does not exist`);
    expect(job.attemptsMade).toBe(1);
  });
});

describe('delete-accounts-past-grace', () => {
  it('two workers at once delete each account once, and a run with nothing due deletes nothing', async () => {
    // A database of this test's own: the count of deleted accounts must not include other tests' users.
    const database = await openDatabase();
    try {
      const users = [];
      for (let index = 0; index < 6; index += 1) {
        const user = await createUser(database.orm);
        await createProfileAndAccounts(database.orm, user.id);
        await requestDeletion(database.orm, user.id, new Date(Date.now() - 1000));
        users.push(user);
      }
      const store = createDbStore(database.orm);
      const now = new Date();
      const runs = await Promise.all([
        store.deleteAccountsPastGrace({ now, batchSize: 1 }),
        store.deleteAccountsPastGrace({ now, batchSize: 1 }),
      ]);
      const deleted = runs.flatMap((run) => run.userIds).sort();
      expect(deleted).toEqual(users.map((user) => user.id).sort());
      expect(await database.orm.em.fork().count(User, {})).toBe(0);
      expect(await store.deleteAccountsPastGrace({ now, batchSize: 1 })).toEqual({ deleted: 0, userIds: [] });
    } finally {
      await database.close();
    }
  });

  it('works once legacy_user_ids has been dropped (the opt-in migration)', async () => {
    const database = await openDatabase();
    try {
      await database.orm.em.fork().execute('drop table legacy_user_ids', [], 'run');
      const user = await createUser(database.orm);
      await requestDeletion(database.orm, user.id, new Date(Date.now() - 1000));
      const result = await createDbStore(database.orm).deleteAccountsPastGrace({
        now: new Date(),
        batchSize: 10,
      });
      expect(result).toEqual({ deleted: 1, userIds: [user.id] });
    } finally {
      await database.close();
    }
  });
});
