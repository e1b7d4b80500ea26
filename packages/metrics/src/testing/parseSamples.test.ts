import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { labelValues, parseSamples, sampleValue } from './parseSamples.js';

describe('parseSamples', () => {
  it('reads back what prom-client writes, label values with quotes, backslashes and newlines included', async () => {
    const registry = new Registry();
    const awkward = 'a "quoted" \\path\\\nline two';
    const counter = new Counter({ name: 't_total', help: 'T.', labelNames: ['kind'], registers: [registry] });
    counter.inc({ kind: 'plain' }, 2);
    counter.inc({ kind: awkward }, 5);
    new Histogram({ name: 't_seconds', help: 'T.', buckets: [0.1, 1], registers: [registry] }).observe(0.5);

    const samples = parseSamples(await registry.metrics());
    expect(samples.filter((s) => s.name === 't_total')).toEqual([
      { name: 't_total', labels: { kind: 'plain' }, value: 2 },
      { name: 't_total', labels: { kind: awkward }, value: 5 },
    ]);
    expect(sampleValue(samples, 't_seconds_bucket', { le: '0.1' })).toBe(0);
    expect(sampleValue(samples, 't_seconds_bucket', { le: '+Inf' })).toBe(1);
    expect(sampleValue(samples, 't_seconds_sum')).toBe(0.5);
  });

  it('throws on a line that is not a sample', () => {
    expect(() => parseSamples('# HELP x X.\nx 1\nx{oops 2\n')).toThrow('not a sample line: x{oops 2');
  });
});

describe('sampleValue and labelValues', () => {
  const samples = parseSamples(
    [
      'r_total{route="/a",status="200"} 1',
      'r_total{route="/b",status="200"} 2',
      'r_total{route="/a",status="404"} 4',
      'other 8',
    ].join('\n'),
  );

  it('sums the samples whose labels include the ones asked, 0 when none match', () => {
    expect(sampleValue(samples, 'r_total')).toBe(7);
    expect(sampleValue(samples, 'r_total', { route: '/a' })).toBe(5);
    expect(sampleValue(samples, 'r_total', { route: '/a', status: '200' })).toBe(1);
    expect(sampleValue(samples, 'r_total', { route: '/c' })).toBe(0);
    expect(sampleValue(samples, 'missing')).toBe(0);
  });

  it('lists the distinct values of a label, sorted', () => {
    expect(labelValues(samples, 'r_total', 'route')).toEqual(['/a', '/b']);
    expect(labelValues(samples, 'r_total', 'status')).toEqual(['200', '404']);
  });
});
