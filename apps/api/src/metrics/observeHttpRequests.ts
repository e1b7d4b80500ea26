import { performance } from 'node:perf_hooks';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { ApiMetrics } from './apiMetrics.js';

/** The `route` label of a request that matched no route: 404s, and URLs the router refused. */
export const UNMATCHED_ROUTE = 'unmatched';

const METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Counts and times every answered request by method, route pattern and status. The route is the pattern
 * the router matched (`/users/:slug`), never the URL: slugs and hostile URLs add no label values, so the
 * number of series stays bounded by the route table.
 *
 * @example
 * observeHttpRequests(app, metrics);
 */
export function observeHttpRequests(
  app: FastifyInstance,
  metrics: Pick<ApiMetrics, 'httpRequests' | 'httpRequestDuration'>,
): void {
  app.addHook('onResponse', async (request, reply) => {
    const labels = httpLabels(request, reply);
    metrics.httpRequests.inc(labels);
    metrics.httpRequestDuration.observe(labels, reply.elapsedTime / 1000);
  });
}

/** The labels of one answered request; exported for the unit test of its bounds. */
export function httpLabels(
  request: Pick<FastifyRequest, 'method' | 'routeOptions'>,
  reply: Pick<FastifyReply, 'statusCode'>,
): { method: string; route: string; status: string } {
  // routeOptions.url is undefined when no route matched (fastify's 404 handler, framework errors).
  const route = request.routeOptions.url;
  return {
    method: METHODS.has(request.method) ? request.method : 'OTHER',
    route: route === undefined || route === '' ? UNMATCHED_ROUTE : route,
    status: String(reply.statusCode),
  };
}

type FrameworkErrorHandler = NonNullable<FastifyServerOptions['frameworkErrors']>;

/**
 * Counts the requests the router refused before routing (a malformed percent-encoding, a parameter over
 * `maxParamLength`): Fastify answers them through `frameworkErrors` and runs no hooks for them, so
 * `observeHttpRequests` alone would never see them. They count under `route="unmatched"`.
 *
 * @example
 * Fastify({ frameworkErrors: observeFrameworkErrors(frameworkErrorHandler, metrics) });
 */
export function observeFrameworkErrors(
  handler: FrameworkErrorHandler,
  metrics: Pick<ApiMetrics, 'httpRequests' | 'httpRequestDuration'>,
): FrameworkErrorHandler {
  return (error, request, reply) => {
    const started = performance.now();
    reply.raw.once('finish', () => {
      const labels = { ...httpLabels(request, reply), route: UNMATCHED_ROUTE };
      metrics.httpRequests.inc(labels);
      metrics.httpRequestDuration.observe(labels, (performance.now() - started) / 1000);
    });
    handler(error, request, reply);
  };
}
