import { TOKEN_PURPOSES } from '../entities/VerificationToken.js';
import type { PreflightProblem } from '../errors.js';
import {
  type Column,
  display,
  displayColumn,
  primaryKeyColumn,
  qualified,
  quoteIdent,
  type Relation,
} from './catalog.js';
import { LEGACY_TABLES } from './expectedSchemas.js';
import type { KeyRange } from './idLookup.js';
import type { SqlExecutor } from './SqlExecutor.js';
import { conversionsOf, type UserGraph } from './userGraph.js';
import { GREGORIAN_OFFSET_US, MAX_GREGORIAN_US } from './uuidV6Sql.js';

const EXAMPLES = 5;
const MIN_INSTANT = `timestamptz '1582-10-15 00:00:00+00'`;
const MAX_INSTANT = `(timestamptz 'epoch' + interval '${MAX_GREGORIAN_US - GREGORIAN_OFFSET_US} microseconds')`;
/** The ids encode the legacy key in 33 bits offset by 2^31 (see uuidV6Sql): int4's range. */
const MIN_KEY = -(2 ** 31);
const MAX_KEY = 2 ** 31 - 1;

/** What the preflight counted of a table, for the verification to compare against. */
export interface TableCounts {
  readonly relation: Relation;
  readonly rows: number;
  /** Non-NULL values of each converted reference column, by attnum. */
  readonly nonNull: ReadonlyMap<number, number>;
  /** For a table whose key converts: the range of its legacy keys (the id maps are laid out by it). */
  readonly keyRange?: KeyRange;
}

export interface PreflightResult {
  readonly tables: ReadonlyMap<number, TableCounts>;
  readonly problems: readonly PreflightProblem[];
}

/**
 * Checks that the data of the user graph can be converted, reading each table once: creation instants present
 * and inside the UUIDv6 range, keys inside the range the ids encode, every reference without a validated
 * foreign key pointing at a row that exists, and, on the product's own tables, no NULL where its schema needs
 * a value, no duplicate emails (case-insensitive), only known token purposes. Every problem is collected with a
 * count and examples; nothing is changed.
 */
export async function preflight(sql: SqlExecutor, graph: UserGraph): Promise<PreflightResult> {
  const problems: PreflightProblem[] = [];
  const tables = new Map<number, TableCounts>();
  const { product } = graph;

  for (const relation of graph.tables) {
    const { key, references } = conversionsOf(graph, relation);
    const checks: { sql: string; problem: Omit<PreflightProblem, 'count' | 'examples'>; example: string }[] =
      [];
    if (key) {
      const created = quoteIdent(key.created.name);
      const id = quoteIdent(key.key.name);
      if (!key.created.notNull) {
        checks.push({
          sql: `${created} IS NULL`,
          problem: {
            code: 'null_value',
            table: display(relation),
            column: key.created.name,
            message: `${displayColumn(key.created)} is NULL`,
          },
          example: `${id}::text`,
        });
      }
      checks.push({
        sql: `${created} < ${MIN_INSTANT} OR ${created} > ${MAX_INSTANT}`,
        problem: {
          code: 'timestamp_out_of_range',
          table: display(relation),
          column: key.created.name,
          message: `${displayColumn(key.created)} outside the UUIDv6 range (1582-10-15 .. 5236-03-31)`,
        },
        example: `${id} || ' (' || ${created} || ')'`,
      });
      if (key.key.type === 'bigint') {
        checks.push({
          sql: `${id} < ${MIN_KEY} OR ${id} > ${MAX_KEY}`,
          problem: {
            code: 'key_out_of_range',
            table: display(relation),
            column: key.key.name,
            message: `${displayColumn(key.key)} outside -2^31 .. 2^31-1 (the range a UUIDv6 of this cutover encodes)`,
          },
          example: `${id}::text`,
        });
      }
      if (product) {
        // Legacy columns that lost their NOT NULL may hold NULLs the new schema refuses.
        for (const [column, shape] of Object.entries(LEGACY_TABLES[key.role]!)) {
          if (shape.nullable || column === key.created.name || column === 'id') continue;
          checks.push({
            sql: `${quoteIdent(column)} IS NULL`,
            problem: {
              code: 'null_value',
              table: display(relation),
              column,
              message: `${display(relation)}.${column} is NULL`,
            },
            example: `${id}::text`,
          });
        }
      }
      if (product && key.role === 'verification_tokens') {
        const purposes = TOKEN_PURPOSES.map((p) => `'${p}'`).join(', ');
        checks.push({
          sql: `purpose NOT IN (${purposes})`,
          problem: {
            code: 'invalid_purpose',
            table: display(relation),
            column: 'purpose',
            message: `${display(relation)}.purpose is not one of ${TOKEN_PURPOSES.join(', ')}`,
          },
          example: `${id} || ' (' || coalesce(purpose, 'NULL') || ')'`,
        });
      }
    }
    // A NULL check of a column the database already holds NOT NULL cannot find anything.
    const enforced = await enforcedNotNull(sql, relation);
    const needed = checks.filter((c) => !(c.problem.code === 'null_value' && enforced.has(c.problem.column)));
    // Emails equal after lower(): with a unique index on email, exact duplicates are impossible, so every
    // group holds an address with an upper-case letter; those are collected in this same scan.
    const foldEmails = product && key?.role === 'users' && (await hasUniqueEmailIndex(sql, relation));
    const aggregates = [
      'count(*)::int8 AS total',
      ...(foldEmails ? ['array_agg(lower(email)) FILTER (WHERE email <> lower(email)) AS folded'] : []),
      ...(key
        ? [
            `min(${quoteIdent(key.key.name)})::int8 AS key_min`,
            `max(${quoteIdent(key.key.name)})::int8 AS key_max`,
          ]
        : []),
      ...references.map((r, i) => `count(${quoteIdent(r.column.name)})::int8 AS nn_${i}`),
      ...needed.map((c, i) => `count(*) FILTER (WHERE ${c.sql})::int8 AS p_${i}`),
    ];
    const [row] = await sql.query<Record<string, string>>(
      `SELECT ${aggregates.join(', ')} FROM ${qualified(relation)}`,
    );
    if (product && key?.role === 'users') {
      const folded = foldEmails ? ((row?.folded as unknown as string[] | null) ?? []) : undefined;
      problems.push(...(await duplicateEmails(sql, relation, folded)));
    }
    const rows = Number(row?.total ?? 0);
    const bound = (value: string | undefined) => (value == null ? null : Number(value));
    tables.set(relation.oid, {
      relation,
      rows,
      nonNull: new Map(references.map((r, i) => [r.column.attnum, Number(row?.[`nn_${i}`] ?? 0)])),
      ...(key ? { keyRange: { min: bound(row?.key_min), max: bound(row?.key_max), rows } } : {}),
    });
    for (const [i, check] of needed.entries()) {
      const count = Number(row?.[`p_${i}`] ?? 0);
      if (count === 0) continue;
      problems.push({
        ...check.problem,
        count,
        examples: await examples(
          sql,
          `SELECT ${check.example} AS example FROM ${qualified(relation)} WHERE ${check.sql} ORDER BY 1`,
        ),
      });
    }

    for (const reference of references) {
      if (reference.via.startsWith('foreign key') && (await validatedForeignKey(sql, reference.column)))
        continue;
      const target = reference.target;
      const column = quoteIdent(reference.column.name);
      const orphans = `FROM ${qualified(relation)} c WHERE c.${column} IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM ${qualified(target.relation)} t WHERE t.${quoteIdent(target.key.name)} = c.${column})`;
      const [orphanRow] = await sql.query<{ n: string }>(`SELECT count(*)::int8 AS n ${orphans}`);
      const count = Number(orphanRow?.n ?? 0);
      if (count > 0) {
        const pk = await primaryKeyColumn(sql, relation);
        const example = pk
          ? `c.${quoteIdent(pk)} || ' (${reference.column.name.replaceAll("'", "''")} ' || c.${column} || ')'`
          : `c.${column}::text`;
        problems.push({
          code: 'orphaned_row',
          table: display(relation),
          column: reference.column.name,
          count,
          examples: await examples(
            sql,
            `SELECT ${example} AS example ${orphans} ORDER BY ${pk ? `c.${quoteIdent(pk)}` : '1'}`,
          ),
          message: `${displayColumn(reference.column)} points to no row of ${display(target.relation)} (${reference.via})`,
        });
      }
    }
  }

  return { tables, problems };
}

async function examples(sql: SqlExecutor, query: string): Promise<string[]> {
  const rows = await sql.query<{ example: string }>(`${query} LIMIT ${EXAMPLES}`);
  return rows.map((r) => String(r.example));
}

async function enforcedNotNull(sql: SqlExecutor, relation: Relation): Promise<Set<string>> {
  const rows = await sql.query<{ column: string }>(
    `SELECT attname AS column FROM pg_attribute WHERE attrelid = ? AND attnum > 0 AND NOT attisdropped AND attnotnull`,
    [relation.oid],
  );
  return new Set(rows.map((r) => r.column));
}

async function validatedForeignKey(sql: SqlExecutor, column: Column): Promise<boolean> {
  const [row] = await sql.query<{ present: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE contype = 'f' AND convalidated AND conrelid = ? AND conkey = ARRAY[?::int2]) AS present`,
    [column.relation.oid, column.attnum],
  );
  return row?.present === true;
}

/** True when a valid unique index covers exactly `users(email)`, as the legacy schema's UNIQUE does. */
async function hasUniqueEmailIndex(sql: SqlExecutor, users: Relation): Promise<boolean> {
  const [unique] = await sql.query<{ present: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
        WHERE i.indrelid = ? AND i.indisunique AND i.indisvalid AND i.indnkeyatts = 1
          AND i.indpred IS NULL AND i.indexprs IS NULL AND a.attname = 'email') AS present`,
    [users.oid],
  );
  return unique?.present === true;
}

/**
 * Groups of emails equal after lower(). `folded` are the lower-cased addresses that had an upper-case letter,
 * when a unique index makes exact duplicates impossible: each is probed in that index. Without it, every
 * address is folded and grouped.
 */
async function duplicateEmails(
  sql: SqlExecutor,
  users: Relation,
  folded: readonly string[] | undefined,
): Promise<PreflightProblem[]> {
  if (folded?.length === 0) return [];
  const table = qualified(users);
  const groups = folded
    ? `SELECT f.email, count(*)::int8 + (EXISTS (SELECT 1 FROM ${table} u WHERE u.email = f.email))::int AS n
         FROM json_array_elements_text(?::json) f(email) GROUP BY f.email`
    : `SELECT lower(email) AS email, count(*)::int8 AS n FROM ${table} GROUP BY lower(email)`;
  const duplicates = await sql.query<{ email: string; n: string; groups: string; total: string }>(
    `SELECT email, n, count(*) OVER ()::int8 AS groups, sum(n) OVER ()::int8 AS total
       FROM (${groups}) d WHERE n > 1
      ORDER BY email LIMIT ${EXAMPLES}`,
    folded ? [JSON.stringify(folded)] : [],
  );
  if (duplicates.length === 0) return [];
  return [
    {
      code: 'duplicate_email',
      table: display(users),
      column: 'email',
      count: Number(duplicates[0]!.total),
      examples: duplicates.map((d) => `${d.email} x${d.n}`),
      message: `${duplicates[0]!.groups} email address(es) used by more than one user (compared case-insensitively)`,
    },
  ];
}
