import type { RateLimiter } from '@org/sessions';
import type { ApiMetrics } from './apiMetrics.js';

/**
 * The same rate limiter, counting each decision into `api_rate_limit_decisions_total` by limiter (the bucket
 * name, a fixed set chosen in code: `RateLimitBucket`) and outcome.
 *
 * @example
 * const limiter = observeRateLimits(createRateLimiter({ redis, keyPrefix }), metrics);
 */
export function observeRateLimits(
  limiter: RateLimiter,
  metrics: Pick<ApiMetrics, 'rateLimits'>,
): RateLimiter {
  return {
    reset: (bucket, subject) => limiter.reset(bucket, subject),
    async hit(bucket, subject, rule) {
      const decision = await limiter.hit(bucket, subject, rule);
      metrics.rateLimits.inc({ limiter: bucket, outcome: decision.allowed ? 'allowed' : 'limited' });
      return decision;
    },
  };
}
