import { qualified, quoteIdent } from './catalog.js';
import { createUncompressedTemp, isDense } from './idLookup.js';
import type { SqlExecutor } from './SqlExecutor.js';
import type { KeyTable } from './userGraph.js';

const NIL = `'00000000-0000-0000-0000-000000000000'::uuid`;

/** SQL for the new key of the row being rewritten, given the SQL that computes it from the row. */
export type KeyExpression = (computed: string) => string;

/**
 * Computes a key table's new keys before the cutover takes its locks: a UUIDv6 costs about a microsecond a
 * row inside `ALTER TABLE`'s rewrite, the biggest share of the lock time of a large table. The keys are laid
 * out by legacy key beside each row's creation instant, in arrays behind IMMUTABLE functions (folded into
 * constants when a statement is planned, as in `buildIdLookup`). Under the locks a row takes its precomputed
 * key when its creation instant is the one the key was computed from; any other row (added since, given
 * another instant, or outside the range) is computed in the rewrite. A key is a pure function of legacy key,
 * instant and seed, so an equal instant in a legacy key's slot means an equal key: writes between this
 * reading and the locks cost time, never correctness. Gaps hold non-NULL placeholders (an array with a NULL
 * costs a scan per subscript) that no row can match: `-infinity` is refused by the preflight.
 *
 * Returns undefined, leaving every key to the rewrite, when the table is empty or its keys too sparse.
 * `computed` is the key's SQL over the table's columns; `name` is unique within the transaction.
 */
export async function precomputeKeys(
  sql: SqlExecutor,
  table: KeyTable,
  computed: string,
  name: string,
): Promise<KeyExpression | undefined> {
  const key = quoteIdent(table.key.name);
  const created = quoteIdent(table.created.name);
  const [range] = await sql.query<{ min: string | null; max: string | null; n: string }>(
    `SELECT min(${key})::int8 AS min, max(${key})::int8 AS max, count(*)::int8 AS n FROM ${qualified(table.relation)}`,
  );
  const rows = Number(range?.n ?? 0);
  if (rows === 0 || range?.min == null || range.max == null) return undefined;
  const min = Number(range.min);
  const max = Number(range.max);
  if (!isDense(max - min + 1, rows)) return undefined;

  const arrays = quoteIdent(`${name}_keys`);
  const select =
    max - min + 1 === rows
      ? `SELECT array_agg(${computed} ORDER BY ${key}) AS ids, array_agg(${created} ORDER BY ${key}) AS created
           FROM ${qualified(table.relation)}`
      : `SELECT array_agg(coalesce(${computed}, ${NIL}) ORDER BY s.cutover_slot) AS ids,
                array_agg(coalesce(${created}, '-infinity') ORDER BY s.cutover_slot) AS created
           FROM generate_series(${min}::int8, ${max}::int8) s(cutover_slot)
           LEFT JOIN ${qualified(table.relation)} t ON t.${key} = s.cutover_slot`;
  await createUncompressedTemp(sql, arrays, { ids: 'uuid[]', created: `${table.created.type}[]` });
  await sql.run(`INSERT INTO ${arrays} ${select}`);
  const ids = `pg_temp.${quoteIdent(`${name}_ids`)}`;
  const instants = `pg_temp.${quoteIdent(`${name}_created`)}`;
  await sql.run(
    `CREATE FUNCTION ${ids}() RETURNS uuid[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT ids FROM pg_temp.${arrays}'`,
  );
  await sql.run(
    `CREATE FUNCTION ${instants}() RETURNS ${table.created.type}[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT created FROM pg_temp.${arrays}'`,
  );
  const slot = `(${key} - ${min - 1})::int4`;
  return (fallback) =>
    `(CASE WHEN ${key} BETWEEN ${min} AND ${max} AND ${created} = (${instants}())[${slot}] THEN (${ids}())[${slot}] ELSE ${fallback} END)`;
}

/** Drops the functions of `precomputeKeys` (its table goes with the transaction). */
export async function dropPrecomputedKeys(sql: SqlExecutor, name: string): Promise<void> {
  await sql.run(`DROP FUNCTION IF EXISTS pg_temp.${quoteIdent(`${name}_ids`)}()`);
  await sql.run(`DROP FUNCTION IF EXISTS pg_temp.${quoteIdent(`${name}_created`)}()`);
}
