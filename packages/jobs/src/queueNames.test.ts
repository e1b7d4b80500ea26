import { describe, expect, it } from 'vitest';
import { hasHashTag, QueuePrefixError, queuePrefixFor } from './queueNames.js';

describe('queuePrefixFor', () => {
  it('defaults to bull on one Redis and {bull} on a cluster', () => {
    expect(queuePrefixFor({ cluster: false })).toBe('bull');
    expect(queuePrefixFor({ configured: '', cluster: false })).toBe('bull');
    expect(queuePrefixFor({ cluster: true })).toBe('{bull}');
  });

  it('keeps a configured prefix, and on a cluster only one with a hash tag', () => {
    expect(queuePrefixFor({ configured: 'app', cluster: false })).toBe('app');
    expect(queuePrefixFor({ configured: '{app}', cluster: true })).toBe('{app}');
    expect(queuePrefixFor({ configured: 'tenant-{app}', cluster: true })).toBe('tenant-{app}');
    expect(() => queuePrefixFor({ configured: 'app', cluster: true })).toThrow(QueuePrefixError);
    expect(() => queuePrefixFor({ configured: 'app', cluster: true })).toThrow(/use e\.g\. "\{app\}"/);
  });
});

describe('hasHashTag', () => {
  it.each([
    ['{bull}', true],
    ['x{a}y', true],
    ['bull', false],
    ['{}bull', false],
    ['{bull', false],
    ['bull}', false],
  ])('%s -> %s', (prefix, expected) => {
    expect(hasHashTag(prefix)).toBe(expected);
  });
});
