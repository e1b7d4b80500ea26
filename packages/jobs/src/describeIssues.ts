import type { z } from 'zod';
import { SENSITIVE_FIELDS } from './idFields.js';

/**
 * Turns zod issues into one line per field, naming what was expected and what arrived:
 * `userId: expected a UUIDv6 string, got number 123`. The value is read from the payload itself (zod does
 * not report inputs by default) and sensitive fields only show their type and length.
 */
export function describeIssues(
  schema: z.ZodType,
  data: unknown,
  issues: readonly z.core.$ZodIssue[],
): string[] {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return [`payload: expected an object, got ${describeValue(data, false)}`];
  }
  const lines = issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((key) => JSON.stringify(key)).join(', ');
      return `payload: unexpected field${issue.keys.length > 1 ? 's' : ''} ${keys}`;
    }
    const field = issue.path.map(String).join('.') || 'payload';
    const expected = fieldDescription(schema, issue.path) ?? issue.message;
    const value = valueAt(data, issue.path);
    const sensitive = SENSITIVE_FIELDS.has(String(issue.path[0]));
    return `${field}: expected ${expected}, got ${describeValue(value, sensitive)}`;
  });
  return [...new Set(lines)];
}

function fieldDescription(schema: z.ZodType, path: readonly PropertyKey[]): string | undefined {
  const shape = (schema as { shape?: Record<string, z.ZodType> }).shape;
  const key = path[0];
  if (!shape || typeof key !== 'string' || path.length !== 1) return undefined;
  return shape[key]?.description;
}

function valueAt(data: object, path: readonly PropertyKey[]): unknown {
  let current: unknown = data;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function describeValue(value: unknown, sensitive: boolean): string {
  if (value === undefined) return 'nothing (field missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `array of length ${value.length}`;
  if (typeof value === 'string') {
    if (sensitive) return `string of length ${value.length} (value hidden)`;
    const shown = value.length > 60 ? `${value.slice(0, 60)}...` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'object') return 'object';
  if (sensitive) return typeof value;
  return `${typeof value} ${String(value)}`;
}
