import { createHash } from 'node:crypto';
import type { RateLimitBucket } from '../config.js';
import type { AppContext } from '../context.js';
import { ProblemError } from './ProblemError.js';

/**
 * Counts a hit against a Redis rate limit; over the limit it fails with a 429 problem and Retry-After.
 * Subjects (ips, emails) are hashed so keys stay short and Redis holds no personal data.
 */
export async function enforceRateLimit(
  ctx: AppContext,
  bucket: RateLimitBucket,
  subject: string,
): Promise<void> {
  const hashed = createHash('sha256').update(subject).digest('base64url').slice(0, 22);
  const decision = await ctx.limiter.hit(bucket, hashed, ctx.config.rateLimits[bucket]);
  if (!decision.allowed) throw ProblemError.rateLimited(decision.retryAfterSeconds);
}
