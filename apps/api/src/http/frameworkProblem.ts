import type { ProblemType } from './problemTypes.js';

/** Framework errors whose problem is more precise than their status says, or differs from it on purpose. */
const BY_CODE: Readonly<Record<string, ProblemType>> = {
  // A path that is not valid percent-encoded UTF-8 names nothing: the same 404 as an unknown slug (the
  // framework's 400 would echo the URL).
  FST_ERR_BAD_URL: 'not-found',
  FST_ERR_VALIDATION: 'validation-error',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed-json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed-json',
};

/** The problem for each client-error status that Fastify or Node's HTTP parser can answer with. */
const BY_STATUS: Readonly<Record<number, ProblemType>> = {
  400: 'bad-request',
  404: 'not-found',
  408: 'request-timeout',
  413: 'payload-too-large',
  414: 'uri-too-long',
  415: 'unsupported-media-type',
  431: 'headers-too-large',
};

/** The problem for a 4xx status, or undefined when the api has none of that status. */
export function problemForStatus(status: number): ProblemType | undefined {
  return BY_STATUS[status];
}

/**
 * The problem for an error Fastify raised (`FST_ERR_*`) about the request: undefined for other errors and for
 * framework errors of status 500 and above (those are bugs, answered as `internal-error`).
 *
 * @example
 * frameworkProblem(new errorCodes.FST_ERR_MAX_PARAM_LENGTH('/users/…')); // 'uri-too-long'
 */
export function frameworkProblem(error: object): ProblemType | undefined {
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  if (typeof code !== 'string' || !code.startsWith('FST_ERR_')) return undefined;
  const byCode = BY_CODE[code];
  if (byCode !== undefined) return byCode;
  return typeof statusCode === 'number' && statusCode < 500 ? problemForStatus(statusCode) : undefined;
}
