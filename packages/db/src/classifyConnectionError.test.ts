import { describe, expect, it } from 'vitest';
import { classifyConnectionError, redactUrl } from './classifyConnectionError.js';
import { DatabaseAuthError, DatabaseMissingError, DatabaseUnreachableError } from './errors.js';

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

  it('recognises a database that does not exist, naming it', () => {
    const error = classifyConnectionError(
      withCode('database "ap" does not exist', '3D000'),
      'postgres://u@h:5432/ap',
    );
    expect(error).toBeInstanceOf(DatabaseMissingError);
    expect((error as DatabaseMissingError).database).toBe('ap');
    expect(error?.message).toContain('database "ap" does not exist on postgres://u@h:5432/ap');
  });

  it('recognises rejected credentials and roles, naming the target', () => {
    for (const code of ['28P01', '28000']) {
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
