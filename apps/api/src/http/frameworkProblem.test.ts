import { errorCodes } from 'fastify';
import { describe, expect, it } from 'vitest';
import { frameworkProblem } from './frameworkProblem.js';
import { PROBLEM_TYPES } from './problemTypes.js';

/** Deliberate differences from the framework's status, each documented in the README. */
const OVERRIDES: Record<string, number> = { FST_ERR_BAD_URL: 404 };

const all = Object.entries(errorCodes).map(([code, ErrorClass]) => {
  const error = new (ErrorClass as new (...args: string[]) => Error & { statusCode?: number })('a', 'b', 'c');
  return { code, status: error.statusCode ?? 500, error };
});

describe('frameworkProblem', () => {
  it('knows Fastify errors of several client statuses (the table below is not empty)', () => {
    expect(new Set(all.filter((e) => e.status < 500).map((e) => e.status)).size).toBeGreaterThanOrEqual(4);
  });

  it.each(all.filter((e) => e.status < 500).map((e) => [e.code, e.status, e.error] as const))(
    '%s (%i) maps to a problem of the same status',
    (code, status, error) => {
      const type = frameworkProblem(error);
      expect(type, code).toBeDefined();
      expect(PROBLEM_TYPES[type!].status).toBe(OVERRIDES[code] ?? status);
    },
  );

  it('leaves server-side framework errors to the internal-error path', () => {
    for (const { code, error } of all.filter((e) => e.status >= 500))
      expect(frameworkProblem(error), code).toBeUndefined();
  });

  it('ignores errors that Fastify did not raise', () => {
    expect(frameworkProblem({ code: 'ECONNREFUSED', statusCode: 400 })).toBeUndefined();
    expect(frameworkProblem(new Error('x'))).toBeUndefined();
  });
});
