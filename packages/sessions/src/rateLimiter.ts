import type { RedisClient } from './createRedisClient.js';
import { SessionStoreUnavailableError } from './errors.js';
import { createKeyLayout } from './keyLayout.js';
import { luaScript } from './luaScript.js';

export interface RateLimitRule {
  /** Hits allowed per window. */
  limit: number;
  windowSeconds: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  remaining: number;
  /** Seconds until the window resets (the `Retry-After` value when refused). */
  retryAfterSeconds: number;
}

export interface RateLimiter {
  /** Counts one hit of `subject` in `bucket` and says whether it is within the rule. */
  hit(bucket: string, subject: string, rule: RateLimitRule): Promise<RateLimitDecision>;
  /** Forgets a subject's hits (e.g. after a successful login). */
  reset(bucket: string, subject: string): Promise<void>;
}

/** KEYS: counter (one key: any slot of a cluster). ARGV: windowMs. Fixed window: the first hit starts the window. Returns { count, pttl }. */
const hitScript = luaScript(`
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { count, ttl }
`);

/**
 * Fixed-window rate limits kept in Redis under the versioned key layout, shared by every api process.
 *
 * @example
 * const limiter = createRateLimiter({ redis });
 * const decision = await limiter.hit('login', ip, { limit: 10, windowSeconds: 60 });
 * if (!decision.allowed) reply.header('retry-after', decision.retryAfterSeconds);
 */
export function createRateLimiter(options: { redis: RedisClient; keyPrefix?: string }): RateLimiter {
  const { redis } = options;
  const keys = createKeyLayout(options.keyPrefix);
  return {
    async hit(bucket, subject, rule) {
      let reply: unknown;
      try {
        reply = await hitScript.run(redis, [keys.rateLimit(bucket, subject)], [rule.windowSeconds * 1000]);
      } catch (error) {
        throw new SessionStoreUnavailableError(`rate limit ${bucket}`, { cause: error });
      }
      const [count, ttlMs] = (reply as [number, number]).map(Number) as [number, number];
      return {
        allowed: count <= rule.limit,
        remaining: Math.max(0, rule.limit - count),
        retryAfterSeconds: Math.max(1, Math.ceil(ttlMs / 1000)),
      };
    },
    async reset(bucket, subject) {
      try {
        await redis.unlink(keys.rateLimit(bucket, subject));
      } catch (error) {
        throw new SessionStoreUnavailableError(`rate limit reset ${bucket}`, { cause: error });
      }
    },
  };
}
