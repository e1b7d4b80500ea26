import { describe, expect, it } from 'vitest';
import {
  createKeyLayout,
  escapeGlob,
  KEY_NAMESPACE,
  LEGACY_KEY_PATTERNS,
  USER_TAG_LENGTH,
  userTag,
} from './keyLayout.js';

/** The hash tag Redis Cluster hashes: the text between the first `{` and the next `}`, if not empty. */
function hashTagOf(key: string): string {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

describe('createKeyLayout', () => {
  const alice = '1f0c9a2e-5b3d-6e10-8a4b-0123456789ab';

  it('puts every key under the prefix and the versioned namespace', () => {
    const keys = createKeyLayout('t1:');
    const tag = userTag(alice);
    expect(KEY_NAMESPACE).toBe('sess:v3:');
    expect(keys.root).toBe('t1:sess:v3:');
    expect(keys.session(tag, 'ab')).toBe(`t1:sess:v3:{${tag}}:s:ab`);
    expect(keys.userIndex(alice)).toBe(`t1:sess:v3:{${tag}}:u:${alice}`);
    expect(keys.rateLimit('login', '1.2.3.4')).toBe('t1:sess:v3:rl:login:1.2.3.4');
  });

  it("puts a user's index and that user's sessions in one slot, and other users elsewhere", () => {
    const keys = createKeyLayout('t1:');
    const bob = '1f0c9a2e-5b3d-6e11-8a4b-0123456789ab';
    expect(hashTagOf(keys.session(userTag(alice), 'ab'))).toBe(hashTagOf(keys.userIndex(alice)));
    expect(hashTagOf(keys.userIndex(alice))).toBe(userTag(alice));
    expect(hashTagOf(keys.userIndex(bob))).not.toBe(hashTagOf(keys.userIndex(alice)));
  });

  it('derives a short, stable, brace-free tag from the user id', () => {
    expect(userTag(alice)).toBe(userTag(alice));
    expect(userTag(alice)).toMatch(new RegExp(`^[A-Za-z0-9_-]{${USER_TAG_LENGTH}}$`));
    // SHA-256('abc') starts ba7816bf8f01: base64url 'ungWv48B'.
    expect(userTag('abc')).toBe('ungWv48B');
  });

  it('never produces a key a legacy pattern matches', () => {
    const keys = createKeyLayout();
    const legacy = LEGACY_KEY_PATTERNS.map((p) => p.slice(0, -1));
    for (const key of [keys.session('x', 'y'), keys.userIndex('x'), keys.rateLimit('a', 'b')]) {
      for (const start of legacy) expect(key.startsWith(start)).toBe(false);
    }
  });
});

describe('escapeGlob', () => {
  it.each([
    ['plain:', 'plain:'],
    ['a*b', 'a\\*b'],
    ['a?[b]', 'a\\?\\[b\\]'],
    ['a\\b', 'a\\\\b'],
  ])('escapes %s', (input, expected) => {
    expect(escapeGlob(input)).toBe(expected);
  });
});
