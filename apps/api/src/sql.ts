import type { Em } from './context.js';

/** One row of a raw SQL query (`?` placeholders), or null: the api's hot paths skip entity hydration. */
export async function queryOne<T extends object>(
  em: Em,
  sql: string,
  params: readonly unknown[],
): Promise<T | null> {
  const row = await em.execute<Record<string, unknown>>(sql, [...params], 'get');
  return (row as T | undefined) ?? null;
}

export async function queryAll<T extends object>(
  em: Em,
  sql: string,
  params: readonly unknown[],
): Promise<T[]> {
  return (await em.execute<Record<string, unknown>[]>(sql, [...params], 'all')) as T[];
}

/**
 * A timestamptz from a raw query as ISO 8601. The pg driver under MikroORM hands timestamps back as
 * PostgreSQL text (`2026-11-25 11:09:14.295532+00`), entities as Date; both are accepted.
 */
export function toIsoString(value: Date | string): string {
  if (value instanceof Date) return value.toISOString();
  const date = new Date(value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
  if (Number.isNaN(date.getTime())) throw new TypeError(`not a timestamp: ${value}`);
  return date.toISOString();
}
