import { DatabaseAuthError, DatabaseMissingError, DatabaseUnreachableError } from './errors.js';

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
]);
// invalid_password, invalid_authorization_specification (no pg_hba entry / unknown role)
const REJECTED = new Set(['28P01', '28000']);
const INVALID_CATALOG_NAME = '3D000';

/**
 * Turns a failure to connect into `DatabaseUnreachableError` or `DatabaseAuthError`; returns undefined for
 * anything else. `target` is the URL with any password removed.
 */
export function classifyConnectionError(error: unknown, target: string): Error | undefined {
  for (let cause = error, depth = 0; cause && depth < 5; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE.has(code)) return new DatabaseUnreachableError(target, cause);
    if (typeof code === 'string' && REJECTED.has(code)) return new DatabaseAuthError(target, cause);
    if (code === INVALID_CATALOG_NAME) return new DatabaseMissingError(target, databaseName(target), cause);
    const errors = (cause as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      const inner = classifyConnectionError(errors[0], target);
      if (inner) return inner;
    }
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A connection URL fit for messages and reports: the password is masked. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable DATABASE_URL>';
  }
}

function databaseName(target: string): string {
  try {
    return decodeURIComponent(new URL(target).pathname.replace(/^\//, '')) || '(default)';
  } catch {
    return target;
  }
}
