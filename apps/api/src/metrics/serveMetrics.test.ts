import { freePort } from '@org/cli';
import { describe, expect, it } from 'vitest';
import { parseEnv } from '../env.js';
import { createApiMetrics } from './apiMetrics.js';
import { serveMetrics } from './serveMetrics.js';

const required = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/x',
  REDIS_URL: 'redis://127.0.0.1:6379',
};

describe('METRICS_PORT', () => {
  it('is off (0) unless set, binds loopback by default, and may not be the public port', () => {
    expect(parseEnv(required)).toMatchObject({ METRICS_PORT: 0, METRICS_HOST: '127.0.0.1' });
    expect(parseEnv({ ...required, METRICS_PORT: '' }).METRICS_PORT).toBe(0);
    expect(parseEnv({ ...required, METRICS_PORT: '9464' }).METRICS_PORT).toBe(9464);
    expect(() => parseEnv({ ...required, PORT: '8080', METRICS_PORT: '8080' })).toThrow(/METRICS_PORT/);
    expect(() => parseEnv({ ...required, METRICS_PORT: '70000' })).toThrow(/METRICS_PORT/);
  });
});

describe('serveMetrics', () => {
  it('starts no listener when the port is 0', async () => {
    expect(await serveMetrics(createApiMetrics().registry, parseEnv(required))).toBeNull();
  });

  it('serves the registry and the process metrics on /metrics only, and stops listening on close', async () => {
    const metrics = createApiMetrics();
    metrics.sessions.inc({ outcome: 'created' });
    const port = await freePort();
    const server = await serveMetrics(metrics.registry, { METRICS_HOST: '127.0.0.1', METRICS_PORT: port });
    if (server === null) throw new Error('expected a listener');
    expect(server.url).toBe(`http://127.0.0.1:${port}/metrics`);
    try {
      const text = await (await fetch(server.url)).text();
      expect(text).toContain('api_sessions_total{outcome="created"} 1');
      expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
      expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
      expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
    await expect(fetch(server.url)).rejects.toThrow();
  });
});
