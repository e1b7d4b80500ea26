import { connect } from 'node:net';
import { expect } from 'vitest';
import { type ProblemType, problemTypeUri } from '../src/http/problemTypes.js';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Everything the server sent before it closed the connection. */
  raw: string;
}

/**
 * Sends raw bytes (anything, valid HTTP or not) and reads the first response until the server closes the
 * connection. `keepOpen` leaves the request unfinished: the server must answer (or time out) by itself.
 */
export function rawExchange(port: number, request: string | Buffer, options: { keepOpen?: boolean } = {}) {
  return new Promise<RawResponse>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    // The server may close while we are still writing (a 431 after 16 KiB of a 70 KiB URL): what it
    // answered before is what counts.
    socket.on('error', () => {});
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const split = raw.indexOf('\r\n\r\n');
      if (split < 0) {
        reject(new Error(`no HTTP response before the close: ${JSON.stringify(raw)}`));
        return;
      }
      const [statusLine, ...headerLines] = raw.slice(0, split).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine?.split(' ')[1]), headers, body: raw.slice(split + 4), raw });
    });
    socket.write(request);
    if (!options.keepOpen) socket.end();
  });
}

/** The one shape of every error answer: a problem document whose request id is also the header's. */
export function expectRawProblem(res: RawResponse, status: number, type: ProblemType): void {
  expect(res.status, res.raw).toBe(status);
  expect(res.headers['content-type'], res.raw).toBe('application/problem+json; charset=utf-8');
  expect(Number(res.headers['content-length']), res.raw).toBe(Buffer.byteLength(res.body));
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expect(body).toMatchObject({ type: problemTypeUri(type), title: expect.any(String), status });
  expect(body.requestId).toMatch(/^[A-Za-z0-9_-]{16}$/);
  expect(res.headers['x-request-id']).toBe(body.requestId);
  for (const key of Object.keys(body))
    expect(['type', 'title', 'status', 'requestId', 'detail']).toContain(key);
}
