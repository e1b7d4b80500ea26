import { randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import type { Orm, UserId } from '@org/db';
import type { JobProducer } from '@org/jobs';
import { createRateLimiter, createSessionStore } from '@org/sessions';
import Fastify, { type FastifyServerOptions } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import type { AppConfig } from './config.js';
import type { AppContext } from './context.js';
import { frameworkErrorHandler, installErrorHandler } from './http/errorHandler.js';
import { sessionCookieName } from './http/sessionCookie.js';
import { authRoutes } from './routes/authRoutes.js';
import { healthRoutes } from './routes/healthRoutes.js';
import { meRoutes } from './routes/meRoutes.js';
import { socialRoutes } from './routes/socialRoutes.js';
import { userRoutes } from './routes/userRoutes.js';

/** Longest path parameter, as sent (percent-encoded), that the router accepts. */
export const MAX_PARAM_LENGTH = 2048;

export interface BuildAppOptions {
  orm: Orm;
  /** Created with `createApiRedis` (fails fast while Redis is away). */
  redis: Redis;
  jobs: Pick<JobProducer, 'enqueue'>;
  config: AppConfig;
  logger?: FastifyServerOptions['logger'];
  /** Clock of the session store, for tests. */
  now?: () => number;
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
  const ctx: AppContext = {
    orm,
    redis,
    jobs,
    config,
    sessions: createSessionStore<UserId>({
      redis,
      keyPrefix: config.keyPrefix,
      idleTtlSeconds: config.session.idleTtlSeconds,
      absoluteTtlSeconds: config.session.absoluteTtlSeconds,
      parseUserId: (raw) => raw as UserId,
      ...(options.now === undefined ? {} : { now: options.now }),
    }),
    limiter: createRateLimiter({ redis, keyPrefix: config.keyPrefix }),
  };

  const app = Fastify({
    logger: options.logger ?? false,
    // Request ids are ours (random, never a counter or a client-supplied value) and go back in a header.
    genReqId: () => randomBytes(12).toString('base64url'),
    requestIdHeader: false,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    // Fastify's default (100) refused long but valid parameters: a social uid of up to 191 UTF-16 units is up
    // to 1719 characters percent-encoded. Longer parameters get a 414 problem.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: frameworkErrorHandler,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('auth', null);
  installErrorHandler(app);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // close() waits for every keep-alive connection, and one that was busy when it began would hold it for
  // the whole keep-alive timeout (fastify#7044): an answer sent while closing ends its connection.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
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
  await app.register(socialRoutes(ctx));
  await app.register(userRoutes(ctx));

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
