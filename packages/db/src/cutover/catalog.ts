import type { SqlExecutor } from './SqlExecutor.js';

/** A table (or view) as the catalog names it. */
export interface Relation {
  readonly oid: number;
  readonly schema: string;
  readonly name: string;
}

/** A column of a relation, with what the cutover needs to know of it. */
export interface Column {
  readonly relation: Relation;
  readonly name: string;
  readonly attnum: number;
  /** `format_type` spelling, e.g. `integer`, `character varying(254)`. */
  readonly type: string;
  readonly notNull: boolean;
}

/** `"schema"."name"`, safe to splice into SQL. */
export function qualified(relation: Relation): string {
  return `${quoteIdent(relation.schema)}.${quoteIdent(relation.name)}`;
}

/** `name` in the public schema, `schema.name` elsewhere: for people and reports. */
export function display(relation: Relation): string {
  return relation.schema === 'public' ? relation.name : `${relation.schema}.${relation.name}`;
}

export function displayColumn(column: Pick<Column, 'relation' | 'name'>): string {
  return `${display(column.relation)}.${column.name}`;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Schemas that belong to PostgreSQL itself. */
export const USER_SCHEMAS_SQL = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'`;

/** Tables the cutover keeps for itself; never part of a team's user graph. */
export const OWN_TABLES = ['legacy_user_ids', 'mikro_orm_migrations'] as const;

export const INTEGER_TYPES: ReadonlySet<string> = new Set(['smallint', 'integer', 'bigint']);

/** Resolves `table` or `schema.table` (unqualified names follow the search path), or undefined. */
export async function findRelation(sql: SqlExecutor, name: string): Promise<Relation | undefined> {
  const [row] = await sql.query<{ oid: string; schema: string; name: string }>(
    `SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid = to_regclass(?) AND c.relkind IN ('r', 'p')`,
    [name.split('.').map(quoteIdent).join('.')],
  );
  return row ? { oid: Number(row.oid), schema: row.schema, name: row.name } : undefined;
}

/** Every ordinary or partitioned table outside PostgreSQL's own schemas, as `schema.table`. */
export async function listTables(sql: SqlExecutor): Promise<string[]> {
  const rows = await sql.query<{ name: string }>(
    `SELECT n.nspname || '.' || c.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND ${USER_SCHEMAS_SQL}
        AND c.relname NOT IN (${OWN_TABLES.map(quoteLiteral).join(', ')})
      ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

/** The columns of `relation`, by name. */
export async function readColumns(sql: SqlExecutor, relation: Relation): Promise<Map<string, Column>> {
  const rows = await sql.query<{ name: string; attnum: number; type: string; not_null: boolean }>(
    `SELECT a.attname AS name, a.attnum, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null
       FROM pg_attribute a WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [relation.oid],
  );
  return new Map(
    rows.map((r) => [
      r.name,
      { relation, name: r.name, attnum: Number(r.attnum), type: r.type, notNull: r.not_null },
    ]),
  );
}

/** The single-column primary key of `relation`, if it has one. */
export async function primaryKeyColumn(sql: SqlExecutor, relation: Relation): Promise<string | undefined> {
  const rows = await sql.query<{ name: string }>(
    `SELECT a.attname AS name
       FROM pg_constraint k JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
      WHERE k.conrelid = ? AND k.contype = 'p'`,
    [relation.oid],
  );
  return rows.length === 1 ? rows[0]!.name : undefined;
}

/** A foreign key, with its definition as `pg_get_constraintdef` prints it. */
export interface ForeignKey {
  readonly oid: number;
  readonly name: string;
  readonly relation: Relation;
  readonly columns: readonly string[];
  readonly referenced: Relation;
  readonly referencedColumns: readonly string[];
  readonly definition: string;
  readonly validated: boolean;
  readonly comment: string | null;
}

const FOREIGN_KEY_COLUMNS = `k.oid::int8 AS oid, k.conname AS name, k.convalidated AS validated,
  pg_get_constraintdef(k.oid) AS definition, obj_description(k.oid, 'pg_constraint') AS comment,
  c.oid::int8 AS rel_oid, n.nspname AS rel_schema, c.relname AS rel_name,
  f.oid::int8 AS ref_oid, fn.nspname AS ref_schema, f.relname AS ref_name,
  ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(attnum, i)
          JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum ORDER BY u.i)::text[] AS columns,
  ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(attnum, i)
          JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.attnum ORDER BY u.i)::text[] AS ref_columns`;
const FOREIGN_KEY_FROM = `FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_class f ON f.oid = k.confrelid JOIN pg_namespace fn ON fn.oid = f.relnamespace`;

interface ForeignKeyRow {
  oid: string;
  name: string;
  validated: boolean;
  definition: string;
  comment: string | null;
  rel_oid: string;
  rel_schema: string;
  rel_name: string;
  ref_oid: string;
  ref_schema: string;
  ref_name: string;
  columns: string[];
  ref_columns: string[];
}

function toForeignKey(row: ForeignKeyRow): ForeignKey {
  return {
    oid: Number(row.oid),
    name: row.name,
    relation: { oid: Number(row.rel_oid), schema: row.rel_schema, name: row.rel_name },
    columns: row.columns,
    referenced: { oid: Number(row.ref_oid), schema: row.ref_schema, name: row.ref_name },
    referencedColumns: row.ref_columns,
    definition: row.definition,
    validated: row.validated,
    comment: row.comment,
  };
}

/**
 * Foreign keys whose referenced columns include `column` of `relation`. A partitioned table's foreign key
 * stands for the copies PostgreSQL keeps on each partition (`conparentid`): those are left out.
 */
export async function foreignKeysReferencing(sql: SqlExecutor, column: Column): Promise<ForeignKey[]> {
  const rows = await sql.query<ForeignKeyRow>(
    `SELECT ${FOREIGN_KEY_COLUMNS} ${FOREIGN_KEY_FROM}
      WHERE k.contype = 'f' AND k.conparentid = 0 AND k.confrelid = ? AND ? = ANY (k.confkey)
      ORDER BY n.nspname, c.relname, k.conname`,
    [column.relation.oid, column.attnum],
  );
  return rows.map(toForeignKey);
}

/** Foreign keys whose own columns include `column` (the column points somewhere). */
export async function foreignKeysFrom(sql: SqlExecutor, column: Column): Promise<ForeignKey[]> {
  const rows = await sql.query<ForeignKeyRow>(
    `SELECT ${FOREIGN_KEY_COLUMNS} ${FOREIGN_KEY_FROM}
      WHERE k.contype = 'f' AND k.conparentid = 0 AND k.conrelid = ? AND ? = ANY (k.conkey) ORDER BY k.conname`,
    [column.relation.oid, column.attnum],
  );
  return rows.map(toForeignKey);
}

/** An object that depends on a column, as `pg_depend` records it. */
export interface ColumnDependent {
  readonly catalog: string;
  readonly objid: number;
  readonly column: Column;
}

/** Normal dependencies on `columns` (views, rules, policies, triggers, defaults, functions, constraints...). */
export async function dependentsOf(sql: SqlExecutor, columns: readonly Column[]): Promise<ColumnDependent[]> {
  if (columns.length === 0) return [];
  const byKey = new Map(columns.map((c) => [`${c.relation.oid}:${c.attnum}`, c]));
  const rows = await sql.query<{ catalog: string; objid: string; relid: string; attnum: number }>(
    `SELECT DISTINCT d.classid::regclass::text AS catalog, d.objid::int8 AS objid,
            d.refobjid::int8 AS relid, d.refobjsubid AS attnum
       FROM pg_depend d
      WHERE d.refclassid = 'pg_class'::regclass AND d.deptype = 'n'
        AND (d.refobjid::int8, d.refobjsubid) IN (${columns.map(() => '(?::int8, ?::int4)').join(', ')})
      ORDER BY 1, 2`,
    columns.flatMap((c) => [c.relation.oid, c.attnum]),
  );
  return rows.map((r) => ({
    catalog: r.catalog,
    objid: Number(r.objid),
    column: byKey.get(`${r.relid}:${r.attnum}`)!,
  }));
}
