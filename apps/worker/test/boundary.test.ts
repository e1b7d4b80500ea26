import { TokenIds, UserIds } from '@org/db';
import { describe, expect, it } from 'vitest';
import { JobRejectedError } from '../src/errors.js';
import { parseJobAtBoundary } from '../src/worker.js';

describe('parseJobAtBoundary', () => {
  it('returns the payload and the user UUID used in every log line', () => {
    const userId = UserIds.newId();
    expect(parseJobAtBoundary({ name: 'export-user-data', data: { userId } })).toEqual({
      name: 'export-user-data',
      userId,
      payload: { userId },
    });
    expect(parseJobAtBoundary({ name: 'cleanup-expired-tokens', data: {} })).toEqual({
      name: 'cleanup-expired-tokens',
      userId: null,
      payload: {},
    });
  });

  it('accepts an email job whose secret was already scrubbed', () => {
    const data = { userId: UserIds.newId(), tokenId: TokenIds.newId() };
    expect(parseJobAtBoundary({ name: 'send-password-reset', data }).payload).toEqual(data);
  });

  it('rejects integer ids with an unrecoverable error naming the field', () => {
    const reject = () => parseJobAtBoundary({ name: 'purge-user-sessions', data: { userId: 123 } });
    expect(reject).toThrow(JobRejectedError);
    expect(reject).toThrow(
      'invalid payload for job "purge-user-sessions": userId: expected a UUIDv6 string, got number 123',
    );
  });

  it('points legacy job names to the cutover step', () => {
    expect(() => parseJobAtBoundary({ name: 'export_user_data', data: { userId: 1 } })).toThrow(
      /a legacy job with integer ids; run the queued-jobs cutover step \(pnpm migrate\)/,
    );
  });
});
