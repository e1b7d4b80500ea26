import { describe, expect, it } from 'vitest';
import { classifyConnectionError, redactUrl } from './classifyConnectionError.js';
import { DatabaseAuthError, DatabaseUnreachableError } from './errors.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('classifyConnectionError', () => {
  it('recognises unreachable servers, also when wrapped or aggregated', () => {
    expect(classifyConnectionError(withCode('connect ECONNREFUSED', 'ECONNREFUSED'), 't')).toBeInstanceOf(
      DatabaseUnreachableError,
    );
    const wrapped = new Error('outer', { cause: withCode('getaddrinfo ENOTFOUND db', 'ENOTFOUND') });
    expect(classifyConnectionError(wrapped, 't')).toBeInstanceOf(DatabaseUnreachableError);
    const aggregate = new AggregateError([withCode('x', 'ETIMEDOUT')], 'all failed');
    expect(classifyConnectionError(aggregate, 't')).toBeInstanceOf(DatabaseUnreachableError);
  });

  it('recognises rejected credentials, roles and databases, naming the target', () => {
    for (const code of ['28P01', '28000', '3D000']) {
      const error = classifyConnectionError(
        withCode('password authentication failed', code),
        'postgres://u@h/db',
      );
      expect(error).toBeInstanceOf(DatabaseAuthError);
      expect(error?.message).toContain('postgres://u@h/db');
      expect(error?.message).toContain(code);
    }
  });

  it('leaves other errors alone', () => {
    expect(classifyConnectionError(withCode('syntax error', '42601'), 't')).toBeUndefined();
    expect(classifyConnectionError('boom', 't')).toBeUndefined();
  });
});

describe('redactUrl', () => {
  it('masks the password and nothing else', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/app')).toBe('postgres://app:***@db:5432/app');
    expect(redactUrl('postgres://app@db/app')).toBe('postgres://app@db/app');
    expect(redactUrl('not a url')).toBe('<unparseable DATABASE_URL>');
  });
});
