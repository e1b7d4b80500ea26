import { Counter, Histogram, Registry } from 'prom-client';

/** What a session lookup or change came to; `rejected` is a cookie token that names no live session. */
export type SessionOutcome = 'created' | 'rotated' | 'authenticated' | 'rejected' | 'revoked';

/** The api's metrics, in a registry of their own (several apps share a test process; no global state). */
export interface ApiMetrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  readonly sessions: Counter<'outcome'>;
  readonly rateLimits: Counter<'limiter' | 'outcome'>;
}

/**
 * Creates the api's metrics in a new registry. Process metrics (`process_*`, `nodejs_*`) are not in it:
 * `collectProcessMetrics` adds them once per process (they start timers and observers that live as long as
 * the process).
 *
 * @example
 * const metrics = createApiMetrics();
 * metrics.sessions.inc({ outcome: 'created' });
 * const text = await metrics.registry.metrics();
 */
export function createApiMetrics(): ApiMetrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route pattern (never the raw URL) and status code.',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from receiving a request to sending its answer, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    sessions: new Counter({
      name: 'api_sessions_total',
      help: 'Session outcomes: created (sign-in), rotated, authenticated, rejected (unknown, expired or revoked token), revoked (sessions ended).',
      labelNames: ['outcome'],
      registers,
    }),
    rateLimits: new Counter({
      name: 'api_rate_limit_decisions_total',
      help: 'Rate-limit decisions by limiter (bucket) and outcome (allowed, limited).',
      labelNames: ['limiter', 'outcome'],
      registers,
    }),
  };
}
