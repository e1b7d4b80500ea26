import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Problem } from './problemSchema.js';
import { PROBLEM_TYPES, type ProblemType, problemTypeUri } from './problemTypes.js';

/** Sends an RFC 9457 problem document; every error path of the api ends here. */
export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  type: ProblemType,
  extra: { detail?: string; errors?: Problem['errors']; headers?: Record<string, string> } = {},
): FastifyReply {
  const { status, title } = PROBLEM_TYPES[type];
  const body: Problem = { type: problemTypeUri(type), title, status, requestId: request.id };
  if (extra.detail !== undefined) body.detail = extra.detail;
  if (extra.errors !== undefined) body.errors = extra.errors;
  for (const [name, value] of Object.entries(extra.headers ?? {})) reply.header(name, value);
  // The serializer of the route (if any) must not reshape a problem: send it as a finished string.
  return reply
    .code(status)
    .type('application/problem+json; charset=utf-8')
    .serializer(JSON.stringify)
    .send(body);
}
