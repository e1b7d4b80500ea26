/*
 * The benchmark's client, in a process of its own so that generating load never shares the server's event
 * loop. Reads one JSON job on stdin ({ url, connections, duration, requests: [{ path, cookie? }] }), cycles
 * through the requests with autocannon, and prints { rps, p99, non2xx, errors } on stdout.
 */
import { text } from 'node:stream/consumers';
import autocannon from 'autocannon';

interface LoadJob {
  url: string;
  connections: number;
  duration: number;
  requests: { path: string; cookie?: string }[];
}

const job = JSON.parse(await text(process.stdin)) as LoadJob;
let next = 0;
const result = await autocannon({
  url: job.url,
  connections: job.connections,
  duration: job.duration,
  requests: [
    {
      setupRequest: (request: autocannon.Request) => {
        const { path, cookie } = job.requests[next++ % job.requests.length]!;
        return { ...request, method: 'GET', path, ...(cookie ? { headers: { cookie } } : {}) };
      },
    },
  ],
});
process.stdout.write(
  JSON.stringify({
    rps: result.requests.average,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  }),
);
