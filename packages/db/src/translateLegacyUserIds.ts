import type { AnyOrm } from './AnyOrm.js';
import { LegacyMapMissingError } from './errors.js';
import { type UserId, UserIds } from './idKinds.js';
import { sqlExecutorFor } from './sqlExecutorFor.js';

/**
 * Translates pre-cutover integer user ids (queued jobs, old logs) into UUIDv6 user ids through
 * `legacy_user_ids`. Ids without a mapping are absent from the result. Throws `LegacyMapMissingError` once
 * the mapping has been dropped.
 *
 * @example
 * const ids = await translateLegacyUserIds(orm, [42, 43]);
 * ids.get(42); // '1f0c9a3e-...' as UserId
 */
export async function translateLegacyUserIds(
  orm: AnyOrm,
  legacyIds: readonly number[],
): Promise<Map<number, UserId>> {
  const wanted = [...new Set(legacyIds)];
  for (const id of wanted) {
    if (!Number.isSafeInteger(id)) throw new TypeError(`legacy user ids are integers, got ${String(id)}`);
  }
  const sql = sqlExecutorFor(orm);
  const [exists] = await sql.query<{ present: boolean }>(
    `SELECT to_regclass('legacy_user_ids') IS NOT NULL AS present`,
  );
  if (!exists?.present) throw new LegacyMapMissingError();
  const result = new Map<number, UserId>();
  if (wanted.length === 0) return result;
  // Integers checked above, so inlining them is safe and keeps one round trip for any number of ids.
  const rows = await sql.query<{ legacy_id: number; user_id: string }>(
    `SELECT legacy_id, user_id::text AS user_id FROM legacy_user_ids WHERE legacy_id IN (${wanted.join(', ')})`,
  );
  for (const row of rows) result.set(Number(row.legacy_id), UserIds.parseId(row.user_id));
  return result;
}

/**
 * The legacy user ids that the cutover maps (or, before it has run, will map): those in `legacy_user_ids`, or in
 * the legacy `users` table while the cutover is still pending. For dry runs of steps that translate old ids.
 *
 * @example
 * const known = await mappableLegacyUserIds(orm, [42, 43]); // Set { 42 }
 */
export async function mappableLegacyUserIds(orm: AnyOrm, legacyIds: readonly number[]): Promise<Set<number>> {
  try {
    return new Set((await translateLegacyUserIds(orm, legacyIds)).keys());
  } catch (error) {
    if (!(error instanceof LegacyMapMissingError)) throw error;
  }
  const sql = sqlExecutorFor(orm);
  const [state] = await sql.query<{ data_type: string | null }>(
    `SELECT data_type FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = 'users' AND column_name = 'id'`,
  );
  if (state?.data_type !== 'integer') throw new LegacyMapMissingError();
  const wanted = [...new Set(legacyIds)];
  if (wanted.length === 0) return new Set();
  // translateLegacyUserIds checked that every id is a safe integer.
  const rows = await sql.query<{ id: number }>(`SELECT id FROM users WHERE id IN (${wanted.join(', ')})`);
  return new Set(rows.map((row) => Number(row.id)));
}
