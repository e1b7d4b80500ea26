import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { newRequestId } from './newRequestId.js';
import type { ProblemType } from './problemTypes.js';
import { rawProblemResponse } from './rawProblemResponse.js';

/** How long an answered socket may stay open so the client can read the answer before the close. */
const LINGER_MS = 1000;
const answered = new WeakSet<Socket>();

function problemFor(code: string | undefined): ProblemType {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'request-timeout';
  if (code === 'HPE_HEADER_OVERFLOW') return 'headers-too-large';
  return 'bad-request';
}

/**
 * Fastify's `clientErrorHandler`: Node's HTTP parser refused the bytes (CR or NUL in a header, Content-Length
 * with Transfer-Encoding, an unknown method, a space in the path, headers over 16 KiB) or the request did not
 * arrive within `requestTimeout`/`headersTimeout`. Answers with the problem document every other error gets,
 * then closes the connection. Like Node's own handler, it writes nothing once a response has started on the
 * socket. The socket lingers briefly (ended, reading and discarding) so that the client reads the answer
 * instead of a reset caused by its unread bytes; the parser's later errors on the same socket are ignored.
 */
export function clientErrorHandler(
  this: FastifyInstance,
  error: NodeJS.ErrnoException,
  socket: Socket,
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed || answered.has(socket)) return;
  answered.add(socket);
  const type = problemFor(error.code);
  const requestId = newRequestId();
  this.log.info({ err: error, requestId, problem: type }, 'client error');
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (!socket.writable || inFlight?.headersSent === true) {
    socket.destroy();
    return;
  }
  const detail =
    type === 'bad-request' ? `The request is not valid HTTP/1.1 (${error.code ?? 'parse error'})` : undefined;
  socket.end(rawProblemResponse(type, requestId, detail));
  socket.resume();
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}
