import type { FastifyReply, FastifyRequest } from 'fastify';
import { problemDocument } from './problemDocument.js';
import type { Problem } from './problemSchema.js';
import type { ProblemType } from './problemTypes.js';

/** Sends an RFC 9457 problem document; every error path of the api ends here. */
export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  type: ProblemType,
  extra: { detail?: string; errors?: Problem['errors']; headers?: Record<string, string> } = {},
): FastifyReply {
  const body = problemDocument(type, request.id, extra);
  for (const [name, value] of Object.entries(extra.headers ?? {})) reply.header(name, value);
  // The serializer of the route (if any) must not reshape a problem: send it as a finished string.
  return reply
    .code(body.status)
    .type('application/problem+json; charset=utf-8')
    .serializer(JSON.stringify)
    .send(body);
}
