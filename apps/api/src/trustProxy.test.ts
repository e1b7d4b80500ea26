import { describe, expect, it } from 'vitest';
import { parseTrustProxy } from './trustProxy.js';

describe('parseTrustProxy', () => {
  it.each([
    ['false', false],
    ['0', false],
    ['', false],
    ['true', 1],
    ['1', 1],
    ['2', 2],
    ['10.0.0.1', ['10.0.0.1']],
    ['10.0.0.0/8, 192.168.1.1 ,::1', ['10.0.0.0/8', '192.168.1.1', '::1']],
    ['fd00::/8,loopback', ['fd00::/8', 'loopback']],
  ])('%j -> %j', (raw, expected) => {
    expect(parseTrustProxy(raw)).toEqual(expected);
  });

  it.each([
    'yes',
    '10.0.0.0/33',
    '::1/129',
    '10.0.0.1/8/2',
    '10.0.0',
    '10.0.0.1,',
    '33',
    '-1',
    'proxy.internal',
  ])('refuses %j', (raw) => {
    expect(() => parseTrustProxy(raw)).toThrow(/hop count|address/);
  });
});
