import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** Where the metrics listener binds; `port` 0 picks a free port (the environment maps 0 to "no listener"). */
export interface MetricsListen {
  host: string;
  port: number;
}

export interface MetricsServer {
  /** `http://host:port/metrics` as bound (the real port when 0 was asked). */
  readonly url: string;
  readonly port: number;
  /** Stops listening and ends open scrape connections. */
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` (Prometheus text format) from `registry` on a listener of its own, apart from the
 * public port: anything else gets 404, other methods 405. A failed collection answers 500 with no detail.
 *
 * @example
 * const server = await startMetricsServer(registry, { host: '127.0.0.1', port: 9464 });
 * await server.close();
 */
export async function startMetricsServer(registry: Registry, listen: MetricsListen): Promise<MetricsServer> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?', 1)[0];
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end();
      return;
    }
    registry.metrics().then(
      (text) => {
        response.writeHead(200, { 'content-type': registry.contentType });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      () => {
        response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('collection failed\n');
      },
    );
  });
  server.listen(listen.port, listen.host);
  // `once` rejects when 'error' comes first (EADDRINUSE, EACCES): the caller fails at start-up.
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return {
    url: `http://${host}:${port}/metrics`,
    port,
    async close() {
      const closed = new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      server.closeAllConnections();
      await closed;
    },
  };
}
