import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  digestsEqual,
  hashSessionToken,
  isSessionTokenShape,
  newSessionId,
  newSessionToken,
} from './sessionToken.js';

describe('session tokens', () => {
  it('are 43 base64url characters (256 bits) and unique', () => {
    const tokens = new Set(Array.from({ length: 1000 }, newSessionToken));
    expect(tokens.size).toBe(1000);
    for (const token of tokens) expect(isSessionTokenShape(token)).toBe(true);
  });

  it('hash to the SHA-256 hex digest', () => {
    expect(hashSessionToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('reject anything not shaped like a token', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        if (typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value)) return;
        expect(isSessionTokenShape(value)).toBe(false);
      }),
    );
    expect(isSessionTokenShape(newSessionId())).toBe(false);
  });

  it('compare digests by value', () => {
    const a = hashSessionToken('a');
    expect(digestsEqual(a, hashSessionToken('a'))).toBe(true);
    expect(digestsEqual(a, hashSessionToken('b'))).toBe(false);
    expect(digestsEqual(a, a.slice(0, 10))).toBe(false);
    expect(digestsEqual('', '')).toBe(false);
  });
});
