import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';

/** Any UUID, hyphenated or not, in any case. */
const UUID_PATTERN = /[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}/i;
const ID_KEY = /^(id|pk|.*Id|.*_id|.*_pk)$/;
/** Headers whose values are numbers by nature (lengths, seconds), never identifiers. */
const NUMERIC_HEADERS = new Set(['content-length', 'retry-after', 'keep-alive']);

function walk(value: unknown, path: string, key: string, problems: string[]): void {
  if (typeof value === 'number') {
    // The only number the api sends is a problem's HTTP status (and counts of ended sessions).
    if (!(key === 'status' || key === 'ended')) problems.push(`${path} is a number (${value})`);
  } else if (typeof value === 'string') {
    if (/^\d+$/.test(value)) problems.push(`${path} is an integer string (${value})`);
    if (ID_KEY.test(key) && !/[A-Za-z_-]/.test(value)) problems.push(`${path} looks like an integer id`);
  } else if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) walk(item, `${path}[${index}]`, key, problems);
  } else if (value !== null && typeof value === 'object') {
    for (const [childKey, child] of Object.entries(value))
      walk(child, `${path}.${childKey}`, childKey, problems);
  }
}

/**
 * Fails when a response carries an internal identifier: a UUID anywhere in its headers or body, a JSON
 * number or integer string (legacy ids), or a redirect.
 */
export function expectNoLeak(
  label: string,
  res: LightMyRequestResponse,
  options: { schemaDocument?: boolean } = {},
): void {
  const problems: string[] = [];
  for (const [name, raw] of Object.entries(res.headers)) {
    const values = Array.isArray(raw) ? raw : [String(raw)];
    for (const value of values) {
      if (UUID_PATTERN.test(value)) problems.push(`header ${name} holds a UUID: ${value}`);
      if (!NUMERIC_HEADERS.has(name) && /^\d+$/.test(value))
        problems.push(`header ${name} is an integer: ${value}`);
    }
  }
  if (res.headers.location !== undefined) problems.push(`redirects to ${res.headers.location}`);
  if (UUID_PATTERN.test(res.body)) problems.push(`body holds a UUID: ${res.body.match(UUID_PATTERN)?.[0]}`);
  // A schema document (OpenAPI) is full of numeric limits; for it only the UUID check applies.
  if (
    res.body !== '' &&
    /json/.test(String(res.headers['content-type'])) &&
    options.schemaDocument !== true
  ) {
    walk(JSON.parse(res.body), '$', '', problems);
  }
  if (res.statusCode >= 500 && res.statusCode !== 503) problems.push(`status ${res.statusCode}`);
  expect(problems, `${label} (${res.statusCode})`).toEqual([]);
}
