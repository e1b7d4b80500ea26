import { quoteIdent } from './catalog.js';
import type { SqlExecutor } from './SqlExecutor.js';

/** The smallest and largest legacy key of a table and its rows (min and max are null without rows). */
export interface KeyRange {
  readonly min: number | null;
  readonly max: number | null;
  readonly rows: number;
}

/** SQL for the new uuid of the legacy key held by `column` (an expression of the row being rewritten). */
export type IdLookup = (column: string) => string;

/** 16M uuids (256 MB, held once by the rewriting process); more than that, or sparser keys, probe an index. */
const MAX_ARRAY_SLOTS = 16 * 1024 * 1024;
const NO_ROW = `'00000000-0000-0000-0000-000000000000'::uuid`;

/**
 * A lookup from legacy key to new uuid usable in `ALTER COLUMN ... TYPE uuid USING`, which admits no
 * subquery. Where the keys are dense (at most two slots a key) the new ids are laid out as one uuid array
 * indexed by legacy key (gaps hold the nil uuid, which verification rejects) in a temporary table, behind
 * a function declared IMMUTABLE: PostgreSQL folds an immutable call without arguments into a constant when
 * it plans the statement, so each rewrite reads the array once and every row costs one 16-byte read. The
 * declaration is true for the life of the function: the table it reads is built before the function and
 * dropped with it, inside this transaction. Sparser keys call a function that probes the map's index per row
 * (a few microseconds a row).
 *
 * `map` has columns `legacy_id` and `newColumn`; `name` is unique within the transaction.
 */
export async function buildIdLookup(
  sql: SqlExecutor,
  map: string,
  name: string,
  newColumn = 'new_id',
  known?: KeyRange,
): Promise<IdLookup> {
  const [range] = known
    ? [{ min: known.min, max: known.max, n: known.rows }]
    : await sql.query<{ min: string | number | null; max: string | number | null; n: string | number }>(
        `SELECT min(legacy_id)::int8 AS min, max(legacy_id)::int8 AS max, count(*)::int8 AS n FROM ${map}`,
      );
  const rows = Number(range?.n ?? 0);
  const min = range?.min == null ? 0 : Number(range.min);
  const max = range?.max == null ? -1 : Number(range.max);
  const span = max - min + 1;
  const fn = `pg_temp.${quoteIdent(name)}`;
  if (isDense(span, rows)) {
    const table = quoteIdent(`${name}_slots`);
    await createUncompressedTemp(sql, table, { ids: 'uuid[]' });
    await sql.run(
      span === rows
        ? `INSERT INTO ${table} SELECT array_agg(${newColumn} ORDER BY legacy_id) FROM ${map}`
        : `INSERT INTO ${table}
             SELECT array_agg(coalesce(m.${newColumn}, ${NO_ROW}) ORDER BY s.id)
               FROM generate_series(${min}::int8, ${max}::int8) s(id) LEFT JOIN ${map} m ON m.legacy_id = s.id`,
    );
    await sql.run(
      `CREATE FUNCTION ${fn}() RETURNS uuid[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT ids FROM pg_temp.${table}'`,
    );
    return (column) => `(${fn}())[(${column} - ${min - 1})::int4]`;
  }
  await sql.run(`CREATE INDEX ${quoteIdent(`${name}_legacy_id`)} ON ${map} (legacy_id)`);
  await sql.run(`ANALYZE ${map}`);
  await sql.run(
    `CREATE FUNCTION ${fn}(int8) RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS 'SELECT ${newColumn} FROM ${map.replaceAll("'", "''")} WHERE legacy_id = $1'`,
  );
  return (column) => `${fn}(${column})`;
}

/**
 * A temporary table of this transaction for one large value that is stored as it is: PostgreSQL would
 * otherwise try to compress it, and time-ordered uuids share enough bytes that pglz runs over all 16 MB of
 * a million of them before finding the saving too small to keep (about half a second, measured).
 */
export async function createUncompressedTemp(
  sql: SqlExecutor,
  table: string,
  columns: Readonly<Record<string, string>>,
): Promise<void> {
  const names = Object.keys(columns).map(quoteIdent);
  const definitions = Object.entries(columns).map(([column, type]) => `${quoteIdent(column)} ${type}`);
  await sql.run(`CREATE TEMP TABLE ${table} (${definitions.join(', ')}) ON COMMIT DROP`);
  await sql.run(
    `ALTER TABLE ${table} ${names.map((n) => `ALTER COLUMN ${n} SET STORAGE EXTERNAL`).join(', ')}`,
  );
}

/**
 * Whether keys spanning `span` values over `rows` rows are laid out as an array indexed by key: at most two
 * slots a key, and 16M slots (256 MB of uuids, held once by the process that reads them).
 */
export function isDense(span: number, rows: number): boolean {
  return span <= 2 * rows + 1024 && span <= MAX_ARRAY_SLOTS;
}

/** Drops what `buildIdLookup` made outside the transaction's temporary tables (functions live for the session). */
export async function dropIdLookup(sql: SqlExecutor, name: string): Promise<void> {
  await sql.run(`DROP FUNCTION IF EXISTS pg_temp.${quoteIdent(name)}()`);
  await sql.run(`DROP FUNCTION IF EXISTS pg_temp.${quoteIdent(name)}(int8)`);
  const [index] = await sql.query<{ name: string | null }>(`SELECT to_regclass(?)::text AS name`, [
    quoteIdent(`${name}_legacy_id`),
  ]);
  if (index?.name) await sql.run(`DROP INDEX ${index.name}`);
}
