import { randomBytes } from 'node:crypto';
import type { Progress } from '@org/cli';
import { initOrm, LEGACY_SCHEMA_MIGRATION, runMigrations } from '@org/db';
import { legacyPasswordHash, seedLegacyData } from '@org/db/testing';
import { seedLegacyJobs } from '@org/jobs/testing';
import type { RedisClient } from '@org/sessions';
import { seedLegacyKeys } from '@org/sessions/testing';

/** Accounts of the old system whose passwords the demo knows, stored in the legacy hash format. */
export const DEMO_USERS = [
  { email: 'ada@demo.test', password: 'analytical-engine-1843', firstName: 'Ada', lastName: 'Lovelace' },
  { email: 'grace@demo.test', password: 'compiler-a0-1952', firstName: 'Grace', lastName: 'Hopper' },
  { email: 'edsger@demo.test', password: 'goto-considered-1968', firstName: 'Edsger', lastName: 'Dijkstra' },
] as const;

/** Users seeded per statement batch: each batch is one progress line. */
const USERS_PER_BATCH = 20_000;
/** Every 7th user has a legacy session and token set in Redis. */
const SESSION_EVERY = 7;

export interface LegacyCounts {
  users: number;
  profiles: number;
  tokens: number;
  socialAccounts: number;
  redisKeys: number;
  queuedJobs: number;
}

export interface LegacySystemOptions {
  databaseUrl: string;
  redis: RedisClient;
  /** Prefix of every Redis key the demo writes (legacy keys included), so a shared Redis is left alone. */
  keyPrefix: string;
  queuePrefix: string;
  users: number;
  progress: Progress;
}

/**
 * What the old application leaves behind: the legacy schema with years of rows, a few accounts with known
 * passwords in the old `pbkdf2_sha256$...` format, sessions and token sets in Redis keyed by integer user ids,
 * and jobs still queued with integer ids. Reports its progress as it goes.
 */
export async function createLegacySystem(options: LegacySystemOptions): Promise<LegacyCounts> {
  const { progress } = options;
  const orm = await initOrm({ clientUrl: options.databaseUrl });
  const counts = { users: DEMO_USERS.length, profiles: DEMO_USERS.length, tokens: 0, socialAccounts: 0 };
  try {
    await runMigrations(orm, { to: LEGACY_SCHEMA_MIGRATION });
    const connection = orm.em.getConnection();
    for (const [index, user] of DEMO_USERS.entries()) {
      const joined = new Date(Date.UTC(2014 + index * 3, index * 4, 10 + index, 9, 30));
      await connection.execute(
        `INSERT INTO users (email, password, first_name, last_name, email_verified, date_joined)
         VALUES (?, ?, ?, ?, true, ?)`,
        [
          user.email,
          legacyPasswordHash(user.password, randomBytes(9).toString('hex'), 100_000),
          user.firstName,
          user.lastName,
          joined,
        ],
      );
      await connection.execute(
        `INSERT INTO user_profiles (user_id, display_name, bio, created_at)
         SELECT id, ?, ?, date_joined FROM users WHERE email = ?`,
        [`${user.firstName} ${user.lastName}`, `Legacy account #${index + 1} of the demo.`, user.email],
      );
    }
    // In batches: each continues the ids and emails of the previous one, and each is a line of progress.
    const total = Math.max(0, options.users - DEMO_USERS.length);
    for (let seeded = 0; seeded < total; ) {
      const batch = Math.min(USERS_PER_BATCH, total - seeded);
      const rows = await seedLegacyData(orm, { users: batch });
      seeded += batch;
      counts.users += rows.users;
      counts.profiles += rows.profiles;
      counts.tokens += rows.tokens;
      counts.socialAccounts += rows.socialAccounts;
      progress.update(
        `PostgreSQL: ${counts.users.toLocaleString('en-US')}/${options.users.toLocaleString('en-US')} users with their profiles, tokens and social accounts`,
      );
    }
    progress.done();
  } finally {
    await orm.close();
  }

  const legacyUserIds = Array.from({ length: counts.users }, (_, index) => index + 1);
  const withSessions = legacyUserIds.filter((id) => id % SESSION_EVERY === 1);
  let redisKeys = 0;
  for (let offset = 0; offset < withSessions.length; offset += 10_000) {
    const { sessionKeys, tokenKeys } = await seedLegacyKeys(options.redis, {
      userIds: withSessions.slice(offset, offset + 10_000),
      sessionsPerUser: 1,
      keyPrefix: options.keyPrefix,
    });
    redisKeys += sessionKeys.length + tokenKeys.length;
    progress.update(`Redis: ${redisKeys.toLocaleString('en-US')} legacy session and token keys`);
  }
  progress.done();
  const jobsByName = await seedLegacyJobs({
    redis: options.redis,
    prefix: options.queuePrefix,
    legacyUserIds,
    count: 200,
    onProgress: ({ done, total }) => progress.update(`queue: ${done}/${total} legacy jobs`),
  });
  progress.done();
  const queuedJobs = Object.values(jobsByName).reduce((sum, count) => sum + count, 0);
  return { ...counts, redisKeys, queuedJobs };
}
