import type { FastifyRequest, FastifyServerOptions } from 'fastify';

/**
 * Fastify's request serializer, with the query string's values replaced: the emailed links carry their token in
 * the query (`GET /verify-email?token=…`), and "incoming request" logged it in the clear (found by the log-fields
 * test, issue 15). The parameter names stay, so a line still shows what was asked.
 */
export function serializeRequestForLog(request: FastifyRequest): Record<string, string | number> {
  const fields: Record<string, string | number> = {
    method: request.method,
    url: withoutQueryValues(request.url),
    host: request.host,
    remoteAddress: request.ip,
  };
  const version = request.headers['accept-version'];
  if (typeof version === 'string') fields.version = version;
  if (request.socket?.remotePort !== undefined) fields.remotePort = request.socket.remotePort;
  return fields;
}

export function withoutQueryValues(url: string): string {
  const start = url.indexOf('?');
  if (start === -1) return url;
  const names = url
    .slice(start + 1)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => `${pair.split('=')[0]}=[redacted]`);
  return `${url.slice(0, start)}?${names.join('&')}`;
}

/** The api's logger options: the caller's, with `serializeRequestForLog` for `req`. */
export function apiLoggerOptions(
  logger: FastifyServerOptions['logger'],
): NonNullable<FastifyServerOptions['logger']> {
  if (logger === undefined || logger === false) return false;
  const options = logger === true ? {} : logger;
  return { ...options, serializers: { ...options.serializers, req: serializeRequestForLog } };
}
