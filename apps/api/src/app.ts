import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import { type Orm, type UserId, UserIds } from '@org/db';
import type { JobProducer } from '@org/jobs';
import { createRateLimiter, createSessionStore, type RedisClient } from '@org/sessions';
import Fastify, { type FastifyServerOptions } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { BackgroundTasks } from './backgroundTasks.js';
import type { AppConfig } from './config.js';
import type { AppContext } from './context.js';
import { clientErrorHandler } from './http/clientErrorHandler.js';
import { frameworkErrorHandler, installErrorHandler } from './http/errorHandler.js';
import { newRequestId } from './http/newRequestId.js';
import { apiLoggerOptions } from './http/requestLogSerializer.js';
import { installServerEdgeHandlers, requireHostHeader } from './http/serverEdgeHandlers.js';
import { sessionCookieName } from './http/sessionCookie.js';
import { enforceDeadlineWhileClosing } from './http/stalledConnections.js';
import { type ApiMetrics, createApiMetrics } from './metrics/apiMetrics.js';
import { observeFrameworkErrors, observeHttpRequests } from './metrics/observeHttpRequests.js';
import { observeRateLimits } from './metrics/observeRateLimits.js';
import { observeSessions } from './metrics/observeSessions.js';
import { type Kdf, nodeKdf } from './passwords/kdf.js';
import { accountRoutes } from './routes/accountRoutes.js';
import { authRoutes } from './routes/authRoutes.js';
import { exportRoutes } from './routes/exportRoutes.js';
import { healthRoutes } from './routes/healthRoutes.js';
import { meRoutes } from './routes/meRoutes.js';
import { socialRoutes } from './routes/socialRoutes.js';
import { tokenLinkPages } from './routes/tokenLinkPages.js';
import { userRoutes } from './routes/userRoutes.js';
import type { TrustProxy } from './trustProxy.js';

/** Longest path parameter, as sent (percent-encoded), that the router accepts. */
export const MAX_PARAM_LENGTH = 2048;
/** How often Node looks for requests past their deadline (its default, 30 s, would stretch every timeout). */
export const CONNECTIONS_CHECK_INTERVAL_MS = 500;

declare module 'fastify' {
  interface FastifyInstance {
    /** Work started after an answer (a reset's lookup and email); `idle()` waits for it. */
    background: BackgroundTasks;
    /** This app's Prometheus metrics (its own registry); `server.ts` serves them on a listener of their own. */
    metrics: ApiMetrics;
  }
}

export interface BuildAppOptions {
  orm: Orm;
  /** Created with `createApiRedis` (fails fast while Redis is away). */
  redis: RedisClient;
  jobs: Pick<JobProducer, 'enqueue'>;
  config: AppConfig;
  logger?: FastifyServerOptions['logger'];
  /** Clock of the session store, for tests. */
  now?: () => number;
  /** Key derivations (default node:crypto); tests wrap it to count the work of each login. */
  kdf?: Kdf;
}

/**
 * Fastify 5.12 ignores a numeric `trustProxy` (it trusts nothing); a hop count is proxy-addr's rule: the socket's
 * peer and the `hops - 1` entries before it are proxies, the next entry to the left is the client.
 */
function fastifyTrustProxy(
  trust: TrustProxy,
): false | string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust;
}

/**
 * Builds the api without listening: tests call `app.inject`, `server.ts` calls `listen`. The caller owns
 * the connections and closes them after `app.close()`.
 *
 * @example
 * const app = await buildApp({ orm, redis, jobs, config });
 * const res = await app.inject({ method: 'GET', url: '/health' });
 */
export async function buildApp(options: BuildAppOptions) {
  const { orm, redis, jobs, config } = options;
  const metrics = createApiMetrics();
  const ctx: AppContext = {
    orm,
    redis,
    jobs,
    config,
    kdf: options.kdf ?? nodeKdf,
    background: new BackgroundTasks(),
    sessions: createSessionStore<UserId>({
      redis,
      keyPrefix: config.keyPrefix,
      idleTtlSeconds: config.session.idleTtlSeconds,
      absoluteTtlSeconds: config.session.absoluteTtlSeconds,
      parseUserId: (raw) => UserIds.parseId(raw),
      ...(options.now === undefined ? {} : { now: options.now }),
    }),
    limiter: createRateLimiter({ redis, keyPrefix: config.keyPrefix }),
  };
  // Every route's session and rate-limit outcomes are counted here (api_sessions_total, ...), not in each route.
  ctx.sessions = observeSessions(ctx.sessions, metrics);
  ctx.limiter = observeRateLimits(ctx.limiter, metrics);

  const app = Fastify({
    logger: apiLoggerOptions(options.logger),
    // Request ids are ours (random, never a counter or a client-supplied value) and go back in a header.
    genReqId: newRequestId,
    requestIdHeader: false,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: fastifyTrustProxy(config.trustProxy),
    // A request that stops sending holds its connection (and a graceful shutdown) until these deadlines, then
    // gets a 408 problem from clientErrorHandler. Node checks them every CONNECTIONS_CHECK_INTERVAL_MS.
    requestTimeout: config.http.requestTimeoutMs,
    http: {
      headersTimeout: config.http.headersTimeoutMs,
      connectionsCheckingInterval: CONNECTIONS_CHECK_INTERVAL_MS,
      requireHostHeader: false,
    },
    clientErrorHandler,
    // Fastify's default (100) refused long but valid parameters: a social uid of up to 191 UTF-16 units is up
    // to 1719 characters percent-encoded. Longer parameters get a 414 problem.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: observeFrameworkErrors(frameworkErrorHandler, metrics),
  }).withTypeProvider<ZodTypeProvider>();

  installServerEdgeHandlers(app.server, app.log);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('auth', null);
  installErrorHandler(app);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onRequest', requireHostHeader);
  // close() waits for every keep-alive connection, and one that was busy when it began would hold it for
  // the whole keep-alive timeout (fastify#7044): an answer sent while closing ends its connection.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  enforceDeadlineWhileClosing(app, config.http.requestTimeoutMs);
  app.decorate('background', ctx.background);
  app.decorate('metrics', metrics);
  observeHttpRequests(app, metrics);
  app.addHook('onClose', () => ctx.background.idle());
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });

  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: '@org/api', description: 'Slug-addressed user API', version: '0.1.0' },
      components: {
        securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: sessionCookieName(ctx.config) } },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  await app.register(healthRoutes(ctx));
  await app.register(authRoutes(ctx));
  await app.register(meRoutes(ctx));
  await app.register(accountRoutes(ctx));
  await app.register(exportRoutes(ctx));
  await app.register(socialRoutes(ctx));
  await app.register(userRoutes(ctx));
  await app.register(tokenLinkPages());

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
