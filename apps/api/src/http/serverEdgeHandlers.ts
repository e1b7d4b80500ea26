import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger, onRequestHookHandler } from 'fastify';
import { newRequestId } from './newRequestId.js';
import { problemDocument } from './problemDocument.js';
import { PROBLEM_CONTENT_TYPE, rawProblemResponse } from './rawProblemResponse.js';
import { sendProblem } from './sendProblem.js';

/**
 * Answers the requests Node's HTTP server would otherwise answer itself, without a body or with another shape:
 * an `Expect` other than `100-continue` (Node: empty 417) and `CONNECT` (Node: connection closed unanswered).
 */
export function installServerEdgeHandlers(server: Server, log: FastifyBaseLogger): void {
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    const requestId = newRequestId();
    log.info({ requestId, expect: request.headers.expect }, 'unsupported expectation');
    const body = JSON.stringify(
      problemDocument('expectation-failed', requestId, { detail: 'Only 100-continue is supported' }),
    );
    response.writeHead(417, {
      'content-type': PROBLEM_CONTENT_TYPE,
      'content-length': Buffer.byteLength(body),
      'x-request-id': requestId,
      connection: 'close',
    });
    response.end(body);
  });
  server.on('connect', (_request: IncomingMessage, socket: Socket) => {
    const requestId = newRequestId();
    log.info({ requestId }, 'CONNECT refused');
    socket.on('error', () => {});
    socket.end(rawProblemResponse('bad-request', requestId, 'CONNECT is not supported'));
  });
}

/**
 * RFC 9112 s3.2: an HTTP/1.1 request without a Host header is a 400. Node's own check answers it with an empty
 * body, so it is switched off (`requireHostHeader: false`) and done here, first of the hooks.
 */
export const requireHostHeader: onRequestHookHandler = (request, reply, done) => {
  if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
    reply.header('connection', 'close');
    sendProblem(request, reply, 'bad-request', { detail: 'An HTTP/1.1 request needs a Host header' });
    return;
  }
  done();
};
