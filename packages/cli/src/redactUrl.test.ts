import { describe, expect, it } from 'vitest';
import { redactUrl } from './redactUrl.js';

describe('redactUrl', () => {
  it.each([
    ['postgres://app:secret@db:5432/app', 'postgres://app:***@db:5432/app'],
    ['redis://:secret@127.0.0.1:6399/0', 'redis://:***@127.0.0.1:6399/0'],
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    ['not a url', '<unparseable URL>'],
  ])('%s -> %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });
});
