import { type Column, display, quoteIdent, type Relation, readColumns } from './catalog.js';
import type { SqlExecutor } from './SqlExecutor.js';

/** A check constraint, or an index's expression or predicate, that does not type-check once its columns are uuid. */
export interface BrokenExpression {
  /** `check constraint users_id_positive on users`, `index orders_bucket on orders`. */
  readonly object: string;
  /** The columns it reads that become uuid. */
  readonly columns: readonly string[];
  /** PostgreSQL's own words, e.g. `operator does not exist: uuid > integer`. */
  readonly error: string;
}

/**
 * The cutover keeps every check constraint and index, and `ALTER COLUMN ... TYPE uuid` rebuilds those that read
 * a converted column: one written for integers (`CHECK (id > 0)`, an index on `user_id % 10` or `WHERE
 * user_id > 100`) would fail the conversion under the locks. Each is type-checked here beforehand against the
 * converted row type: its expression over a row of typed NULLs, with no row read (`WHERE false`), each in a
 * savepoint of its own, so a read-only dry run finds them too.
 */
export async function expressionsThatBreak(
  sql: SqlExecutor,
  converted: readonly Column[],
): Promise<BrokenExpression[]> {
  const byRelation = new Map<number, Column[]>();
  for (const column of converted) {
    byRelation.set(column.relation.oid, [...(byRelation.get(column.relation.oid) ?? []), column]);
  }
  const broken: BrokenExpression[] = [];
  for (const [oid, columns] of byRelation) {
    const relation = columns[0]!.relation;
    const attnums = columns.map((c) => c.attnum);
    const expressions = await sql.query<{
      object: string;
      expression: string | null;
      predicate: string | null;
    }>(
      `SELECT 'check constraint ' || quote_ident(k.conname) AS object, pg_get_expr(k.conbin, k.conrelid) AS expression,
              NULL AS predicate
         FROM pg_constraint k
        WHERE k.conrelid = ? AND k.contype = 'c' AND k.conkey && ?::int2[]
       UNION ALL
       SELECT 'index ' || quote_ident(c.relname), pg_get_expr(i.indexprs, i.indrelid), pg_get_expr(i.indpred, i.indrelid)
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = ? AND (i.indexprs IS NOT NULL OR i.indpred IS NOT NULL)
          AND EXISTS (SELECT 1 FROM pg_depend d
                       WHERE d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid
                         AND d.refclassid = 'pg_class'::regclass AND d.refobjid = i.indrelid
                         AND d.refobjsubid = ANY (?::int2[]))
        ORDER BY 1`,
      [oid, `{${attnums.join(',')}}`, oid, `{${attnums.join(',')}}`],
    );
    if (expressions.length === 0) continue;
    const row = await convertedRow(sql, relation, attnums);
    for (const { object, expression, predicate } of expressions) {
      const error = await typeCheck(
        sql,
        `SELECT ${expression ?? '1'} FROM (${row}) AS t WHERE false${predicate === null ? '' : ` AND (${predicate})`}`,
      );
      if (error !== undefined) {
        broken.push({
          object: `${object} on ${display(relation)}`,
          columns: columns.map((c) => c.name),
          error,
        });
      }
    }
  }
  return broken;
}

/** `SELECT NULL::<type> AS <column>, ...` for every column of the table, the converted ones as uuid. */
async function convertedRow(
  sql: SqlExecutor,
  relation: Relation,
  converted: readonly number[],
): Promise<string> {
  const columns = [...(await readColumns(sql, relation)).values()];
  return `SELECT ${columns
    .map((c) => `NULL::${converted.includes(c.attnum) ? 'uuid' : c.type} AS ${quoteIdent(c.name)}`)
    .join(', ')}`;
}

/** The error `query` raises, if any, without aborting the transaction it runs in. */
async function typeCheck(sql: SqlExecutor, query: string): Promise<string | undefined> {
  await sql.run('SAVEPOINT cutover_type_check');
  try {
    await sql.query(query);
    return undefined;
  } catch (error) {
    await sql.run('ROLLBACK TO SAVEPOINT cutover_type_check');
    return (error as Error).message;
  } finally {
    await sql.run('RELEASE SAVEPOINT cutover_type_check');
  }
}
