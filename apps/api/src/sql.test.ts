import { describe, expect, it } from 'vitest';
import { toIsoString } from './sql.js';

describe('toIsoString', () => {
  it.each([
    ['2026-11-25 11:09:14.295532+00', '2026-11-25T11:09:14.295Z'],
    ['2020-01-01 00:00:00+00', '2020-01-01T00:00:00.000Z'],
    ['2020-01-01 02:00:00+02', '2020-01-01T00:00:00.000Z'],
  ])('reads PostgreSQL text %s', (input, expected) => {
    expect(toIsoString(input)).toBe(expected);
  });

  it('passes Dates through and rejects garbage', () => {
    expect(toIsoString(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(() => toIsoString('yesterday')).toThrow(TypeError);
  });
});
