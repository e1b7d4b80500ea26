import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { userTag } from './keyLayout.js';
import {
  digestsEqual,
  hashSessionToken,
  isSessionTokenShape,
  newSessionId,
  newSessionToken,
  tokenTag,
} from './sessionToken.js';

describe('session tokens', () => {
  const tag = userTag('1f0c9a2e-5b3d-6e10-8a4b-0123456789ab');

  it("are the user's tag then 35 base64url characters (208 bits), and unique", () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => newSessionToken(tag)));
    expect(tokens.size).toBe(1000);
    for (const token of tokens) {
      expect(isSessionTokenShape(token)).toBe(true);
      expect(tokenTag(token)).toBe(tag);
      expect(token).toHaveLength(43);
      expect(Buffer.from(token.slice(tag.length), 'base64url')).toHaveLength(26);
    }
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
    expect(isSessionTokenShape(`${tag}${'A'.repeat(35)}`)).toBe(true);
    expect(isSessionTokenShape(`${tag}${'A'.repeat(36)}`)).toBe(false);
  });

  it('compare digests by value', () => {
    const a = hashSessionToken('a');
    expect(digestsEqual(a, hashSessionToken('a'))).toBe(true);
    expect(digestsEqual(a, hashSessionToken('b'))).toBe(false);
    expect(digestsEqual(a, a.slice(0, 10))).toBe(false);
    expect(digestsEqual('', '')).toBe(false);
  });
});
