import { randomBytes } from 'node:crypto';
import { initOrm, LEGACY_SCHEMA_MIGRATION, runMigrations } from '@org/db';
import { legacyPasswordHash, seedLegacyData } from '@org/db/testing';
import { seedLegacyJobs } from '@org/worker';
import type { Redis } from 'ioredis';

/** Accounts of the old system whose passwords the demo knows, stored in the legacy hash format. */
export const DEMO_USERS = [
  { email: 'ada@demo.test', password: 'analytical-engine-1843', firstName: 'Ada', lastName: 'Lovelace' },
  { email: 'grace@demo.test', password: 'compiler-a0-1952', firstName: 'Grace', lastName: 'Hopper' },
  { email: 'edsger@demo.test', password: 'goto-considered-1968', firstName: 'Edsger', lastName: 'Dijkstra' },
] as const;

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
  redis: Redis;
  /** Prefix of every Redis key the demo writes (legacy keys included), so a shared Redis is left alone. */
  keyPrefix: string;
  queuePrefix: string;
  users: number;
}

/**
 * What the old application leaves behind: the legacy schema with years of rows, a few accounts with known
 * passwords in the old `pbkdf2_sha256$...` format, sessions and token sets in Redis keyed by integer user ids,
 * and jobs still queued with integer ids.
 */
export async function createLegacySystem(options: LegacySystemOptions): Promise<LegacyCounts> {
  const orm = await initOrm({ clientUrl: options.databaseUrl });
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
  } finally {
    await orm.close();
  }
  const seeded = await seedLegacyData(options.databaseUrl, {
    users: Math.max(0, options.users - DEMO_USERS.length),
  });

  const totalUsers = seeded.users + DEMO_USERS.length;
  const redisKeys = await seedLegacyRedis(options.redis, options.keyPrefix, totalUsers);
  const legacyUserIds = Array.from({ length: totalUsers }, (_, index) => index + 1);
  const jobsByName = await seedLegacyJobs({
    redis: options.redis,
    prefix: options.queuePrefix,
    legacyUserIds,
    count: 200,
  });
  const queuedJobs = Object.values(jobsByName).reduce((sum, count) => sum + count, 0);
  return {
    users: totalUsers,
    profiles: seeded.profiles + DEMO_USERS.length,
    tokens: seeded.tokens,
    socialAccounts: seeded.socialAccounts,
    redisKeys,
    queuedJobs,
  };
}

/** Legacy layout (apps/api/README.md): `session:<40 hex>` -> JSON with `user_id`, `user_tokens:<id>` -> set. */
async function seedLegacyRedis(redis: Redis, keyPrefix: string, users: number): Promise<number> {
  const pipeline = redis.pipeline();
  let keys = 0;
  for (let userId = 1; userId <= users; userId += 7) {
    const sessionKey = `${keyPrefix}session:${randomBytes(20).toString('hex')}`;
    pipeline.set(sessionKey, JSON.stringify({ user_id: userId, created: Date.now() }), 'EX', 3600);
    pipeline.sadd(`${keyPrefix}user_tokens:${userId}`, randomBytes(16).toString('hex'));
    keys += 2;
  }
  await pipeline.exec();
  return keys;
}
