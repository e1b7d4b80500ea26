import { z } from 'zod';
import { isPgText, PG_TEXT_MESSAGE } from './pgText.js';

/** Deeper documents are refused: the ORM's change tracking walks them recursively. */
export const MAX_JSON_DEPTH = 32;
/** A hostile document can hold thousands of bad strings; the answer names the first few. */
const MAX_REPORTED = 10;

interface JsonProblem {
  path: PropertyKey[];
  message: string;
}

/**
 * Every place in a parsed JSON value that a `jsonb` column would refuse or change: keys and strings that are not
 * PostgreSQL text, numbers JSON.parse turned into Infinity (stored as `null` otherwise), and nesting deeper than
 * `maxDepth`. Iterative, so a document nested thousands of levels deep cannot exhaust the stack.
 */
export function findJsonProblems(root: unknown, maxDepth: number): JsonProblem[] {
  const problems: JsonProblem[] = [];
  const stack: { value: unknown; path: PropertyKey[]; depth: number }[] = [
    { value: root, path: [], depth: 0 },
  ];
  while (stack.length > 0 && problems.length < MAX_REPORTED) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (!isPgText(value)) problems.push({ path, message: PG_TEXT_MESSAGE });
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) problems.push({ path, message: 'must be a finite number' });
    } else if (value !== null && typeof value === 'object') {
      if (depth >= maxDepth) {
        problems.push({ path, message: `must not be nested more than ${maxDepth} levels deep` });
        continue;
      }
      const entries: [PropertyKey, unknown][] = Array.isArray(value)
        ? [...value.entries()]
        : Object.entries(value);
      for (const [key, child] of entries) {
        if (typeof key === 'string' && !isPgText(key)) {
          problems.push({ path: [...path, key], message: `key ${PG_TEXT_MESSAGE}` });
        }
        stack.push({ value: child, path: [...path, key], depth: depth + 1 });
      }
    }
  }
  return problems.slice(0, MAX_REPORTED);
}

/**
 * A JSON object bound for a `jsonb` column: every key and string at any depth is PostgreSQL text (see
 * `pgText`), numbers are finite, nesting is at most `maxDepth` levels.
 *
 * @example
 * const body = z.strictObject({ extraData: pgJsonObject().default({}) });
 */
export function pgJsonObject(maxDepth = MAX_JSON_DEPTH) {
  return z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
    for (const { path, message } of findJsonProblems(value, maxDepth)) {
      ctx.addIssue({ code: 'custom', path, message });
    }
  });
}
