import { describe, expect, it } from 'vitest';
import { createKeyLayout, escapeGlob, KEY_NAMESPACE, LEGACY_KEY_PATTERNS } from './keyLayout.js';

describe('createKeyLayout', () => {
  it('puts every key under the prefix and the versioned namespace', () => {
    const keys = createKeyLayout('t1:');
    expect(KEY_NAMESPACE).toBe('sess:v2:');
    expect(keys.root).toBe('t1:sess:v2:');
    expect(keys.session('ab')).toBe('t1:sess:v2:s:ab');
    expect(keys.userIndex('u1')).toBe('t1:sess:v2:u:u1');
    expect(keys.userIndex('u1').startsWith(keys.userIndexPrefix)).toBe(true);
    expect(keys.rateLimit('login', '1.2.3.4')).toBe('t1:sess:v2:rl:login:1.2.3.4');
  });

  it('never produces a key a legacy pattern matches', () => {
    const keys = createKeyLayout();
    const legacy = LEGACY_KEY_PATTERNS.map((p) => p.slice(0, -1));
    for (const key of [keys.session('x'), keys.userIndex('x'), keys.rateLimit('a', 'b')]) {
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
