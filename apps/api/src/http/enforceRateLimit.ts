import { createHash } from 'node:crypto';
import type { RateLimitBucket } from '../config.js';
import type { AppContext } from '../context.js';
import { ProblemError } from './ProblemError.js';

/**
 * Counts a hit against a Redis rate limit; over the limit it fails with a 429 problem and Retry-After.
 * Subjects (ips, emails, user ids) are hashed so keys have a bounded length and no address is stored in the
 * clear; the hash is pseudonymous, not anonymous (an IPv4 hash can be found by trying every address), and
 * each key expires with its window.
 */
export async function enforceRateLimit(
  ctx: AppContext,
  bucket: RateLimitBucket,
  subject: string,
): Promise<void> {
  const decision = await ctx.limiter.hit(bucket, hashSubject(subject), ctx.config.rateLimits[bucket]);
  if (!decision.allowed) throw ProblemError.rateLimited(decision.retryAfterSeconds);
}

/** Forgets a subject's hits, e.g. the failed logins of an address once its owner signed in. */
export async function resetRateLimit(
  ctx: AppContext,
  bucket: RateLimitBucket,
  subject: string,
): Promise<void> {
  await ctx.limiter.reset(bucket, hashSubject(subject));
}

function hashSubject(subject: string): string {
  return createHash('sha256').update(subject).digest('base64url').slice(0, 22);
}
