import { TokenIds, UserIds } from '@org/db';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JobPayloadError } from './jobPayloadError.js';
import { parseJobPayload } from './parseJobPayload.js';
import { UnknownJobError } from './unknownJobError.js';

function reasonOf(name: string, data: unknown): string[] {
  try {
    parseJobPayload(name, data);
  } catch (error) {
    if (error instanceof JobPayloadError) return [...error.issues];
    throw error;
  }
  throw new Error('expected the payload to be rejected');
}

describe('parseJobPayload', () => {
  it('returns the canonical (lowercase) ids of a valid payload', () => {
    const userId = UserIds.newId();
    expect(parseJobPayload('export-user-data', { userId: userId.toUpperCase() })).toEqual({ userId });
  });

  it('accepts every job of the catalog in its documented shape', () => {
    const userId = UserIds.newId();
    const tokenId = TokenIds.newId();
    const secret = 'q3mS0c8v1kR2x9ZlW4uYbN7eD5tG6hJ0aP1oI2sU3yE';
    expect(parseJobPayload('send-verification-email', { userId, tokenId, secret })).toEqual({
      userId,
      tokenId,
      secret,
    });
    expect(parseJobPayload('send-password-reset', { userId, tokenId, secret })).toEqual({
      userId,
      tokenId,
      secret,
    });
    expect(parseJobPayload('purge-user-sessions', { userId })).toEqual({ userId });
    expect(parseJobPayload('purge-user-sessions', { userId, exceptSessionId: 's1' })).toEqual({
      userId,
      exceptSessionId: 's1',
    });
    expect(parseJobPayload('cleanup-expired-tokens', {})).toEqual({});
  });

  it('rejects an integer user id, naming the field, what was expected and what arrived', () => {
    expect(reasonOf('export-user-data', { userId: 123 })).toEqual([
      'userId: expected a UUIDv6 string, got number 123',
    ]);
    expect(() => parseJobPayload('export-user-data', { userId: 123 })).toThrow(
      'invalid payload for job "export-user-data": userId: expected a UUIDv6 string, got number 123',
    );
  });

  it('rejects every integer id, whatever its value', () => {
    fc.assert(
      fc.property(fc.integer(), (id) => {
        expect(reasonOf('purge-user-sessions', { userId: id })).toEqual([
          `userId: expected a UUIDv6 string, got number ${id}`,
        ]);
      }),
    );
  });

  it('accepts every UUIDv6 and rejects every other UUID version', () => {
    fc.assert(
      fc.property(fc.uuid({ version: [1, 2, 3, 4, 5, 7, 8] }), (uuid) => {
        expect(reasonOf('export-user-data', { userId: uuid })).toEqual([
          `userId: expected a UUIDv6 string, got string ${JSON.stringify(uuid)}`,
        ]);
      }),
    );
    fc.assert(
      fc.property(fc.uuid({ version: 6 }), (uuid) => {
        expect(parseJobPayload('export-user-data', { userId: uuid }).userId).toBe(uuid);
      }),
    );
  });

  it.each([
    [{}, 'userId: expected a UUIDv6 string, got nothing (field missing)'],
    [{ userId: null }, 'userId: expected a UUIDv6 string, got null'],
    [{ userId: '123' }, 'userId: expected a UUIDv6 string, got string "123"'],
    [{ userId: [1] }, 'userId: expected a UUIDv6 string, got array of length 1'],
    [{ userId: { id: 1 } }, 'userId: expected a UUIDv6 string, got object'],
    [{ userId: true }, 'userId: expected a UUIDv6 string, got boolean true'],
  ])('rejects %j with a precise reason', (payload, reason) => {
    expect(reasonOf('export-user-data', payload)).toEqual([reason]);
  });

  it('reports every bad field of a payload, and unexpected fields', () => {
    expect(
      reasonOf('send-password-reset', { userId: 1, tokenId: 2, secret: 'abcdefgh', extra: true }),
    ).toEqual([
      'userId: expected a UUIDv6 string, got number 1',
      'tokenId: expected a UUIDv6 string, got number 2',
      'payload: unexpected field "extra"',
    ]);
  });

  it('rejects payloads that are not objects', () => {
    expect(reasonOf('export-user-data', null)).toEqual(['payload: expected an object, got null']);
    expect(reasonOf('export-user-data', 42)).toEqual(['payload: expected an object, got number 42']);
    expect(reasonOf('export-user-data', [])).toEqual(['payload: expected an object, got array of length 0']);
  });

  it('never repeats the email secret in a reason', () => {
    const secret = 'not a valid secret!';
    const [reason] = reasonOf('send-verification-email', {
      userId: UserIds.newId(),
      tokenId: TokenIds.newId(),
      secret,
    });
    expect(reason).toBe(
      `secret: expected a URL-safe token string of 8-512 characters, got string of length ${secret.length} (value hidden)`,
    );
  });

  it('rejects a job name outside the catalog', () => {
    expect(() => parseJobPayload('send_verification_email', { userId: 1 })).toThrow(UnknownJobError);
    expect(() => parseJobPayload('send_verification_email', {})).toThrow(
      'unknown job name "send_verification_email"',
    );
  });
});
