import type { Problem } from './problemSchema.js';
import { PROBLEM_TYPES, type ProblemType, problemTypeUri } from './problemTypes.js';

/** The RFC 9457 document of a problem: the one shape of every error answer, whichever layer sends it. */
export function problemDocument(
  type: ProblemType,
  requestId: string,
  extra: { detail?: string | undefined; errors?: Problem['errors'] } = {},
): Problem {
  const { status, title } = PROBLEM_TYPES[type];
  const body: Problem = { type: problemTypeUri(type), title, status, requestId };
  if (extra.detail !== undefined) body.detail = extra.detail;
  if (extra.errors !== undefined) body.errors = extra.errors;
  return body;
}
