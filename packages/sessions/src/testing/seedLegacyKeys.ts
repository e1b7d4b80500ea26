import { randomBytes } from 'node:crypto';
import { Cluster } from 'ioredis';
import type { RedisClient } from '../createRedisClient.js';

export interface SeedLegacyKeysOptions {
  /** Legacy integer user ids to give sessions and token sets. */
  userIds: readonly number[];
  sessionsPerUser?: number;
  keyPrefix?: string;
}

/**
 * Writes the legacy Redis layout (apps/api/README.md) for tests and the demo: `session:<random>` strings
 * holding JSON with an integer `user_id`, and `user_tokens:<int>` sets of those session keys.
 *
 * @example
 * const { sessionKeys } = await seedLegacyKeys(redis, { userIds: [1, 2, 3] });
 */
export async function seedLegacyKeys(
  redis: RedisClient,
  options: SeedLegacyKeysOptions,
): Promise<{ sessionKeys: string[]; tokenKeys: string[] }> {
  const prefix = options.keyPrefix ?? '';
  const perUser = options.sessionsPerUser ?? 2;
  const sessionKeys: string[] = [];
  const tokenKeys: string[] = [];
  // A cluster pipeline must stay on one node: there, the commands go one by one (still in one tick).
  const pipeline = redis instanceof Cluster ? null : redis.pipeline();
  const pending: Promise<unknown>[] = [];
  for (const userId of options.userIds) {
    const tokenKey = `${prefix}user_tokens:${userId}`;
    tokenKeys.push(tokenKey);
    for (let i = 0; i < perUser; i += 1) {
      const sessionKey = `${prefix}session:${randomBytes(16).toString('hex')}`;
      sessionKeys.push(sessionKey);
      const value = JSON.stringify({ user_id: userId, created: Date.now(), ip: '127.0.0.1' });
      if (pipeline) {
        pipeline.set(sessionKey, value, 'EX', 86_400);
        pipeline.sadd(tokenKey, sessionKey);
      } else {
        pending.push(redis.set(sessionKey, value, 'EX', 86_400), redis.sadd(tokenKey, sessionKey));
      }
    }
  }
  await (pipeline ? pipeline.exec() : Promise.all(pending));
  return { sessionKeys, tokenKeys };
}
