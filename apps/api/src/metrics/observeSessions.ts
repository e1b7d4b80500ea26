import type { SessionStore } from '@org/sessions';
import type { ApiMetrics, SessionOutcome } from './apiMetrics.js';

/**
 * The same session store, counting outcomes into `api_sessions_total`: every route sees them without
 * knowing about metrics, and `@org/sessions` stays free of them. Only completed calls count (a call that
 * throws, e.g. Redis down, is an error, not an outcome).
 *
 * @example
 * const sessions = observeSessions(createSessionStore({ redis, ... }), metrics);
 */
export function observeSessions<TUserId extends string>(
  store: SessionStore<TUserId>,
  metrics: Pick<ApiMetrics, 'sessions'>,
): SessionStore<TUserId> {
  const count = (outcome: SessionOutcome, by = 1) => {
    if (by > 0) metrics.sessions.inc({ outcome }, by);
  };
  // Every method spelled out (no spread): a method added to SessionStore is a type error here, not a silent gap.
  return {
    keys: store.keys,
    list: (userId) => store.list(userId),
    async create(userId, meta) {
      const issued = await store.create(userId, meta);
      count('created');
      return issued;
    },
    async authenticate(token) {
      const session = await store.authenticate(token);
      count(session === null ? 'rejected' : 'authenticated');
      return session;
    },
    async rotate(token) {
      const renewed = await store.rotate(token);
      if (renewed !== null) count('rotated');
      return renewed;
    },
    async revoke(userId, sessionId) {
      const ended = await store.revoke(userId, sessionId);
      if (ended) count('revoked');
      return ended;
    },
    async revokeToken(token) {
      const ended = await store.revokeToken(token);
      if (ended) count('revoked');
      return ended;
    },
    async revokeAll(userId, options) {
      const ended = await store.revokeAll(userId, options);
      count('revoked', ended);
      return ended;
    },
  };
}
