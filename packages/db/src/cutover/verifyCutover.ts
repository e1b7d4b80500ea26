import { VerificationError } from '../errors.js';
import { UserIds } from '../idKinds.js';
import { TABLES, type TableName } from './expectedSchemas.js';
import { CREATED_COLUMN } from './preflight.js';
import type { SqlExecutor } from './SqlExecutor.js';
import { isUuidV6OfInstantSql, oncePerRowSql, unixMicrosSql } from './uuidV6Sql.js';

export type RowCounts = Record<TableName | 'legacy_user_ids', number>;

/**
 * Independent checks of the rewritten tables: row counts equal to `before`, every id a version-6 UUID whose
 * instant (read back from its bytes, against the row's creation time in exact numeric arithmetic) is its
 * row's creation time, slugs well-formed. Uniqueness of ids and slugs and the joins of every user_id are
 * proven by building the primary keys, unique constraints and validated foreign keys. Returns the row counts
 * found; throws a `VerificationError` listing every failure.
 */
export async function verifyCutover(
  sql: SqlExecutor,
  before: Readonly<Record<TableName, number>>,
): Promise<RowCounts> {
  const failures: string[] = [];
  const after = {} as RowCounts;
  const [map] = await sql.query<{ rows: string }>('SELECT count(*)::int8 AS rows FROM legacy_user_ids');
  after.legacy_user_ids = Number(map?.rows);
  if (after.legacy_user_ids !== before.users) {
    failures.push(`legacy_user_ids: ${after.legacy_user_ids} rows for ${before.users} users`);
  }
  for (const table of TABLES) {
    const created = CREATED_COLUMN[table];
    const withSlugs = table === 'users';
    const [row] = await sql.query<{ rows: string; bad_ids: string; bad_slugs?: string }>(
      `SELECT count(*)::int8 AS rows,
              count(*) FILTER (WHERE NOT ${isUuidV6OfInstantSql('r.id_bytes', 'r.micros')})::int8 AS bad_ids
              ${withSlugs ? `, count(*) FILTER (WHERE r.slug !~ '^[0-9A-Za-z]{${UserIds.slugLength}}$')::int8 AS bad_slugs` : ''}
         FROM (SELECT ${oncePerRowSql('uuid_send(id)')} AS id_bytes, ${unixMicrosSql(created)} AS micros
                      ${withSlugs ? ', slug' : ''}
                 FROM ${table}) r`,
    );
    after[table] = Number(row?.rows);
    if (after[table] !== before[table])
      failures.push(`${table}: ${before[table]} rows before, ${after[table]} after`);
    if (Number(row?.bad_ids) > 0)
      failures.push(`${table}: ${row?.bad_ids} id(s) are not a v6 UUID of the row's ${created}`);
    if (Number(row?.bad_slugs ?? 0) > 0)
      failures.push(`${table}: ${row?.bad_slugs} slug(s) are not ${UserIds.slugLength} Base62 characters`);
  }
  if (failures.length > 0) throw new VerificationError(failures);
  return after;
}
