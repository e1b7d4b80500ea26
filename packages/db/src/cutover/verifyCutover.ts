import { VerificationError } from '../errors.js';
import { UserIds } from '../idKinds.js';
import type { CutoverReport } from './CutoverReport.js';
import { display, displayColumn, qualified, quoteIdent } from './catalog.js';
import type { PreflightResult } from './preflight.js';
import type { SqlExecutor } from './SqlExecutor.js';
import { conversionsOf, type UserGraph } from './userGraph.js';
import { isUuidV6OfInstantSql, oncePerRowSql, unixMicrosSql } from './uuidV6Sql.js';

const NIL = `'00000000-0000-0000-0000-000000000000'::uuid`;

/**
 * Independent checks of the converted tables, one scan each: row counts as the preflight counted them (minus
 * the rows of tables declared to be emptied), every new key a version-6 UUID whose instant (its first 8 bytes,
 * against those of the row's creation time) is its row's creation time, slugs
 * well-formed, and every converted reference column as many non-NULL values as before, none of them the
 * placeholder of a missing row. Uniqueness and the joins of references with foreign keys are proven by the
 * keys and validated foreign keys already rebuilt. Returns the row counts; throws a `VerificationError`
 * listing every failure.
 */
export async function verifyCutover(
  sql: SqlExecutor,
  graph: UserGraph,
  before: PreflightResult,
): Promise<CutoverReport['rowCounts']> {
  const failures: string[] = [];
  const counts: Record<string, { before: number; after: number }> = {};
  const usersBefore = before.tables.get(graph.users.relation.oid)?.rows ?? 0;
  const [map] = await sql.query<{ rows: string }>('SELECT count(*)::int8 AS rows FROM legacy_user_ids');
  counts.legacy_user_ids = { before: usersBefore, after: Number(map?.rows) };
  if (Number(map?.rows) !== usersBefore) {
    failures.push(`legacy_user_ids: ${map?.rows} rows for ${usersBefore} users`);
  }
  for (const relation of graph.tables) {
    const { key, references } = conversionsOf(graph, relation);
    const withSlugs = key?.role === 'users';
    const inner = [
      ...(key
        ? [
            `${oncePerRowSql(`uuid_send(${quoteIdent(key.key.name)})`)} AS id_bytes`,
            `${unixMicrosSql(quoteIdent(key.created.name))} AS micros`,
          ]
        : []),
      ...(withSlugs ? ['slug'] : []),
      ...references.map((r, i) => `${quoteIdent(r.column.name)} AS ref_${i}`),
    ];
    const aggregates = [
      'count(*)::int8 AS rows',
      ...(key
        ? [`count(*) FILTER (WHERE NOT ${isUuidV6OfInstantSql('r.id_bytes', 'r.micros')})::int8 AS bad_ids`]
        : []),
      ...(withSlugs
        ? [`count(*) FILTER (WHERE r.slug !~ '^[0-9A-Za-z]{${UserIds.slugLength}}$')::int8 AS bad_slugs`]
        : []),
      ...references.flatMap((_, i) => [
        `count(r.ref_${i})::int8 AS nn_${i}`,
        `count(*) FILTER (WHERE r.ref_${i} = ${NIL})::int8 AS nil_${i}`,
      ]),
    ];
    const [row] = await sql.query<Record<string, string>>(
      `SELECT ${aggregates.join(', ')} FROM (SELECT ${inner.length > 0 ? inner.join(', ') : '1'} FROM ${qualified(relation)}) r`,
    );
    const expected = before.tables.get(relation.oid);
    const emptied = graph.deletions.some((d) => d.oid === relation.oid);
    const rowsBefore = expected?.rows ?? 0;
    const rowsAfter = Number(row?.rows);
    counts[display(relation)] = { before: rowsBefore, after: rowsAfter };
    if (rowsAfter !== (emptied ? 0 : rowsBefore)) {
      failures.push(`${display(relation)}: ${rowsBefore} rows before, ${rowsAfter} after`);
    }
    if (Number(row?.bad_ids ?? 0) > 0) {
      failures.push(
        `${display(relation)}: ${row?.bad_ids} id(s) are not a v6 UUID of the row's ${key?.created.name}`,
      );
    }
    if (Number(row?.bad_slugs ?? 0) > 0) {
      failures.push(
        `${display(relation)}: ${row?.bad_slugs} slug(s) are not ${UserIds.slugLength} Base62 characters`,
      );
    }
    for (const [i, reference] of references.entries()) {
      const nonNullBefore = expected?.nonNull.get(reference.column.attnum) ?? 0;
      if (Number(row?.[`nn_${i}`]) !== nonNullBefore) {
        failures.push(
          `${displayColumn(reference.column)}: ${nonNullBefore} values before, ${row?.[`nn_${i}`]} after (a reference lost its row)`,
        );
      }
      if (Number(row?.[`nil_${i}`]) > 0) {
        failures.push(`${displayColumn(reference.column)}: ${row?.[`nil_${i}`]} value(s) point to no row`);
      }
    }
  }
  if (failures.length > 0) throw new VerificationError(failures);
  return counts;
}
