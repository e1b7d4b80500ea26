import { STATUS_CODES } from 'node:http';
import { problemDocument } from './problemDocument.js';
import type { ProblemType } from './problemTypes.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/**
 * A complete HTTP/1.1 response carrying a problem document, for answers written to the socket below Fastify
 * (parser errors, request timeouts): same body, content type and `x-request-id` as every other error answer.
 * It closes the connection, since the stream cannot be trusted past the error.
 */
export function rawProblemResponse(type: ProblemType, requestId: string, detail?: string): string {
  const document = problemDocument(type, requestId, { detail });
  const body = JSON.stringify(document);
  return [
    `HTTP/1.1 ${document.status} ${STATUS_CODES[document.status] ?? ''}`,
    `content-type: ${PROBLEM_CONTENT_TYPE}`,
    `content-length: ${Buffer.byteLength(body)}`,
    `x-request-id: ${requestId}`,
    'connection: close',
    '',
    body,
  ].join('\r\n');
}
