import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** What Node raises (and clientErrorHandler answers with 408) when a request does not arrive in time. */
function requestTimeoutError(): NodeJS.ErrnoException {
  return Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
}

/** A connection whose request has not fully arrived: headers incomplete (no response yet), or body incomplete. */
function isStalled(socket: Socket): boolean {
  const response = (socket as Socket & { _httpMessage?: { req?: IncomingMessage } | null })._httpMessage;
  return response?.req === undefined || !response.req.complete;
}

/**
 * Node enforces `requestTimeout`/`headersTimeout` from an interval that `server.close()` clears, so during a
 * graceful shutdown a client that stopped sending held the close until SHUTDOWN_TIMEOUT_MS and the process
 * exited 1 (issue 13). Once closing begins, every open connection gets `deadlineMs` more to deliver a complete
 * request; those that have not get the `clientError` Node's own check raises (answered 408, then closed).
 * Requests that have arrived and are being handled are left to finish.
 */
export function enforceDeadlineWhileClosing(app: FastifyInstance, deadlineMs: number): void {
  const sockets = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  let timer: NodeJS.Timeout | undefined;
  app.addHook('preClose', async () => {
    timer = setTimeout(() => {
      for (const socket of sockets) {
        if (!socket.destroyed && isStalled(socket))
          app.server.emit('clientError', requestTimeoutError(), socket);
      }
    }, deadlineMs);
    timer.unref();
  });
  app.addHook('onClose', async () => clearTimeout(timer));
}
