import { SessionStoreUnavailableError } from '@org/sessions';
import { describe, expect, it } from 'vitest';
import { isServiceUnavailable } from './isServiceUnavailable.js';

function withCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}
/** MikroORM's DriverException copies the driver error's own properties and takes its class name. */
function driverException(previous: Error): Error {
  const converted = Object.assign(new Error(previous.message), previous);
  converted.name = 'DriverException';
  return converted;
}

describe('isServiceUnavailable', () => {
  it.each([
    ['a terminated connection (no SQLSTATE)', new Error('Connection terminated unexpectedly')],
    ['the same, converted by MikroORM', driverException(new Error('Connection terminated unexpectedly'))],
    ['a connect timeout', new Error('Connection terminated due to connection timeout')],
    ['a pool connect timeout', new Error('timeout exceeded when trying to connect')],
    [
      'a client whose connection failed',
      new Error('Client has encountered a connection error and is not queryable'),
    ],
    [
      'admin shutdown (pg_terminate_backend)',
      withCode('terminating connection due to administrator command', '57P01'),
    ],
    [
      'crash shutdown',
      withCode('terminating connection because of crash of another server process', '57P02'),
    ],
    ['the server starting up', withCode('the database system is starting up', '57P03')],
    ['too many connections', withCode('sorry, too many clients already', '53300')],
    ['connection failure', withCode('connection failure', '08006')],
    ['an unmigrated database', withCode('relation "users" does not exist', '42P01')],
    ['refused', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['reset', withCode('read ECONNRESET', 'ECONNRESET')],
    [
      'a wrapped cause',
      new Error('query failed', { cause: new Error('Connection terminated unexpectedly') }),
    ],
    [
      'one of an AggregateError',
      new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')]),
    ],
    ['the session store', new SessionStoreUnavailableError('redis down', { cause: new Error('x') })],
    ['a MikroORM ConnectionException', Object.assign(new Error('x'), { name: 'ConnectionException' })],
  ])('%s: yes', (_, error) => {
    expect(isServiceUnavailable(error)).toBe(true);
  });

  it.each([
    [
      'a protocol violation (NUL sent as text)',
      withCode('invalid byte sequence for encoding "UTF8": 0x00', '08P01'),
    ],
    ['a unique violation', withCode('duplicate key value violates unique constraint', '23505')],
    ['a syntax error', withCode('syntax error at or near "selec"', '42601')],
    [
      'a message that only looks like a lost connection',
      withCode('Connection terminated unexpectedly', '22P02'),
    ],
    ['a plain bug', new TypeError('cannot read properties of undefined')],
    ['not an error', 'Connection terminated unexpectedly'],
  ])('%s: no', (_, error) => {
    expect(isServiceUnavailable(error)).toBe(false);
  });
});
