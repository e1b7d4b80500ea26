import { once } from 'node:events';
import { Agent, request } from 'node:http';
import type { Socket } from 'node:net';
import { Counter, Gauge, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { collectProcessMetrics } from './collectProcessMetrics.js';
import { type MetricsServer, startMetricsServer } from './startMetricsServer.js';

const open: MetricsServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
});

async function serve(registry: Registry): Promise<MetricsServer> {
  const server = await startMetricsServer(registry, { host: '127.0.0.1', port: 0 });
  open.push(server);
  return server;
}

function registryWithOneCounter(): Registry {
  const registry = new Registry();
  new Counter({ name: 'test_things_total', help: 'Things.', registers: [registry] }).inc(3);
  return registry;
}

describe('startMetricsServer', () => {
  it('answers GET and HEAD /metrics with the registry in the Prometheus text format, query string ignored', async () => {
    const registry = registryWithOneCounter();
    const server = await serve(registry);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
    expect(server.port).toBeGreaterThan(0);

    const res = await fetch(`${server.url}?ts=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(registry.contentType);
    expect(await res.text()).toMatch(/^test_things_total 3$/m);

    const head = await fetch(server.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('answers 404 off /metrics and 405 with Allow to other methods', async () => {
    const server = await serve(registryWithOneCounter());
    const base = `http://127.0.0.1:${server.port}`;
    for (const path of ['/', '/metrics/', '/Metrics', '/metrics.txt']) {
      expect((await fetch(`${base}${path}`)).status, path).toBe(404);
    }
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await fetch(server.url, { method });
      expect(res.status, method).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
    }
  });

  it('answers 500 without the error when a collector throws', async () => {
    const registry = registryWithOneCounter();
    new Gauge({
      name: 'test_broken',
      help: 'A collector that fails.',
      registers: [registry],
      collect() {
        throw new Error('secret detail');
      },
    });
    const res = await fetch((await serve(registry)).url);
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('collection failed\n');
  });

  it('rejects at start when the port is taken', async () => {
    const first = await serve(registryWithOneCounter());
    await expect(
      startMetricsServer(new Registry(), { host: '127.0.0.1', port: first.port }),
    ).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('stops listening on close, with a kept-alive scrape connection open', async () => {
    const server = await startMetricsServer(registryWithOneCounter(), { host: '127.0.0.1', port: 0 });
    const agent = new Agent({ keepAlive: true });
    try {
      // The scrape ends but its connection stays open in the agent's pool.
      const socket = await new Promise<Socket>((resolve, reject) => {
        const req = request(server.url, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(req.socket as Socket));
        });
        req.on('error', reject);
        req.end();
      });
      expect(socket.destroyed).toBe(false);
      const socketClosed = once(socket, 'close');
      await server.close();
      await socketClosed;
      await expect(fetch(server.url)).rejects.toThrow();
    } finally {
      agent.destroy();
    }
  });
});

describe('collectProcessMetrics', () => {
  it('adds the process and Node.js metrics to the registry it is given, and only to it', async () => {
    const registry = registryWithOneCounter();
    const other = registryWithOneCounter();
    collectProcessMetrics(registry);
    const text = await (await fetch((await serve(registry)).url)).text();
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(await other.metrics()).not.toMatch(/process_cpu/);
  });
});
