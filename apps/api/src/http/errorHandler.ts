import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { frameworkProblem, problemForStatus } from './frameworkProblem.js';
import { isServiceUnavailable } from './isServiceUnavailable.js';
import { ProblemError } from './ProblemError.js';
import { sendProblem } from './sendProblem.js';

/**
 * Errors Fastify raises before routing: a malformed URL (404, as for any path that names nothing), a path
 * parameter over the router's limit (414). The default answers are not problem documents and echo the URL.
 */
export function frameworkErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const type = frameworkProblem(error);
  if (type !== undefined) {
    request.log.info({ err: error }, 'client error');
    sendProblem(request, reply, type);
  } else {
    request.log.error({ err: error }, 'framework error');
    sendProblem(request, reply, 'internal-error');
  }
}

/**
 * One error handler turns every failure into `application/problem+json`. Client errors say what was
 * wrong (never echoing internal ids); 5xx answers carry a generic text, details go to the log only.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ProblemError) {
      if (error.status >= 500) request.log.error({ err: error.cause ?? error }, error.message);
      return sendProblem(request, reply, error.type, {
        ...(error.detail === undefined ? {} : { detail: error.detail }),
        headers: { ...error.headers },
      });
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      return sendProblem(request, reply, 'validation-error', {
        errors: error.validation.map((issue) => ({
          path: `${error.validationContext ?? 'request'}${issue.instancePath.replaceAll('/', '.')}`,
          message: issue.message ?? 'is invalid',
        })),
      });
    }
    const framework = frameworkProblem(error);
    if (framework !== undefined) {
      request.log.info({ err: error }, 'client error');
      return sendProblem(request, reply, framework);
    }
    if (isServiceUnavailable(error)) {
      request.log.warn({ err: error }, 'backing service unavailable');
      return sendProblem(request, reply, 'service-unavailable', { headers: { 'retry-after': '5' } });
    }
    if (isResponseSerializationError(error) || error.statusCode === undefined || error.statusCode >= 500) {
      request.log.error({ err: error }, 'unhandled error');
      return sendProblem(request, reply, 'internal-error');
    }
    request.log.info({ err: error }, 'client error');
    return sendProblem(request, reply, problemForStatus(error.statusCode) ?? 'bad-request');
  });

  app.setNotFoundHandler((request, reply) => sendProblem(request, reply, 'not-found'));
}
