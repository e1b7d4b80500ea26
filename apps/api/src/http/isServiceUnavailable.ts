import { SessionStoreUnavailableError } from '@org/sessions';

/** Socket-level failures: the service is out of reach (or the connection to it broke). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * PostgreSQL SQLSTATEs that say the server or the connection is unavailable, not that the query was wrong:
 * class 08 (connection exception) except 08P01 (protocol violation, e.g. a NUL byte sent in text), shutdown
 * and start-up (57P01..57P03), too many connections (53300), and a missing table (42P01: the database has not
 * been migrated; `/ready` says so too).
 */
const POSTGRES_CODES = new Set([
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '42P01',
]);

/**
 * What node-postgres and its pool throw when a connection breaks, with no SQLSTATE: a backend killed by
 * `pg_terminate_backend` or a restart ("Connection terminated unexpectedly"), a connect that timed out, a
 * client used after its connection failed.
 */
const POSTGRES_CLIENT_MESSAGES = [
  /^Connection terminated\b/,
  /^Client has encountered a connection error and is not queryable/,
  /^Client was closed and is not queryable/,
  /^timeout exceeded when trying to connect/,
];

/**
 * Whether the error, or one it wraps (`cause`, AggregateError's `errors`), says a backing service (PostgreSQL,
 * Redis) is out of reach: answered 503 with Retry-After instead of 500.
 *
 * @example
 * isServiceUnavailable(new Error('Connection terminated unexpectedly')); // true
 */
export function isServiceUnavailable(error: unknown): boolean {
  const pending: { value: unknown; depth: number }[] = [{ value: error, depth: 0 }];
  while (pending.length > 0) {
    const { value, depth } = pending.pop()!;
    if (!(value instanceof Error) || depth > 5) continue;
    if (value instanceof SessionStoreUnavailableError || value.name === 'ConnectionException') return true;
    const code = (value as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || POSTGRES_CODES.has(code))) return true;
    if (code === undefined && POSTGRES_CLIENT_MESSAGES.some((pattern) => pattern.test(value.message)))
      return true;
    pending.push({ value: value.cause, depth: depth + 1 });
    if (value instanceof AggregateError) {
      for (const inner of value.errors) pending.push({ value: inner, depth: depth + 1 });
    }
  }
  return false;
}
