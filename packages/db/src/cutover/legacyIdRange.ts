import type { SqlExecutor } from './SqlExecutor.js';

/** The smallest and largest legacy user id, and how many slots lie between them (0 with no users). */
export interface LegacyIdRange {
  readonly min: number;
  readonly max: number;
  readonly span: number;
}

export async function legacyIdRange(sql: SqlExecutor): Promise<LegacyIdRange> {
  const [row] = await sql.query<{ min: number | null; max: number | null }>(
    'SELECT min(id) AS min, max(id) AS max FROM users',
  );
  if (row?.min == null || row.max == null) return { min: 0, max: 0, span: 0 };
  return { min: row.min, max: row.max, span: row.max - row.min + 1 };
}

/**
 * True when slots numbered by legacy id (id minus the smallest) waste little: at most two slots a user (plus
 * slack for tiny tables), so per-slot work stays proportional to the users.
 */
export function slotsAreDense(range: LegacyIdRange, users: number): boolean {
  return range.span <= 2 * users + 1024;
}
