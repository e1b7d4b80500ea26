import type { Refusal } from '../errors.js';
import { display, displayColumn, qualified, type Relation } from './catalog.js';
import { estimateLockTime, type TableWork } from './estimateLockTime.js';
import type { PreflightResult } from './preflight.js';
import { productForeignKeyNames } from './runCutover.js';
import type { SqlExecutor } from './SqlExecutor.js';
import { conversionsOf, type UserGraph } from './userGraph.js';

/** One table of the user graph: its rows, what converts, and what stays attached. Serialisable. */
export interface PlannedTable {
  readonly table: string;
  readonly rows: number;
  readonly converts: readonly string[];
  readonly kept: string;
}

/** What the cutover would do to the user graph (the dry run's report). Serialisable. */
export interface CutoverPlan {
  readonly usersTable: string;
  readonly createdColumn: string;
  readonly preset?: string;
  readonly tables: readonly PlannedTable[];
  /** Foreign keys dropped and added back as they were (name, actions, deferrability). */
  readonly foreignKeys: readonly string[];
  /** Views, policies and triggers on converted columns, re-created with the new type. */
  readonly recreated: readonly string[];
  readonly translated: readonly string[];
  readonly emptied: readonly string[];
  readonly ignored: readonly string[];
  readonly refusals: readonly Refusal[];
  readonly estimatedLockMs: number;
}

/** Describes `graph` for people and automation; `counts` come from the preflight (or zero without one). */
export async function describeCutoverPlan(
  sql: SqlExecutor,
  graph: UserGraph,
  counts: PreflightResult | undefined,
): Promise<CutoverPlan> {
  const tables: PlannedTable[] = [];
  const work: { rows: number; work: TableWork }[] = [];
  for (const relation of graph.tables) {
    const { key, references } = conversionsOf(graph, relation);
    const converts = [
      ...(key
        ? [
            `${key.key.name} ${key.key.type} -> uuid (UUIDv6 of ${key.created.name}${zoneNote(key.created.type)})`,
          ]
        : []),
      ...(key?.role === 'users' ? ['+ slug (Base62, unique)'] : []),
      ...references.map(
        (r) => `${r.column.name} ${r.column.type} -> uuid (ids of ${display(r.target.relation)}, ${r.via})`,
      ),
      ...graph.translations
        .filter((t) => t.column.relation.oid === relation.oid)
        .map((t) => `${t.column.name}: legacy user ids -> UUIDs as text${t.when ? ` where ${t.when}` : ''}`),
      ...(graph.deletions.some((d) => d.oid === relation.oid) ? ['every row deleted'] : []),
    ];
    const rows = counts?.tables.get(relation.oid)?.rows ?? (await estimatedRows(sql, relation));
    tables.push({ table: display(relation), rows, converts, kept: await attached(sql, relation) });
    work.push({ rows, work: key ? 'key' : references.length > 0 ? 'references' : 'other' });
  }
  const renamed = productForeignKeyNames(graph);
  return {
    usersTable: display(graph.users.relation),
    createdColumn: graph.config.createdColumn,
    ...(graph.config.preset ? { preset: graph.config.preset } : {}),
    tables,
    foreignKeys: graph.foreignKeys.map(
      (fk) =>
        `${fk.name} on ${display(fk.relation)}: ${fk.definition}${fk.validated ? '' : ' (not validated)'}${renamed.has(fk.oid) ? ` (renamed ${renamed.get(fk.oid)}, the entity's name)` : ''}`,
    ),
    recreated: graph.recreated.map((o) => o.object),
    translated: graph.translations.map((t) => displayColumn(t.column)),
    emptied: graph.deletions.map(display),
    ignored: graph.ignored,
    refusals: graph.refusals,
    estimatedLockMs: estimateLockTime(work),
  };
}

/**
 * How an instant is read from a creation column without a time zone (TypeORM's `@CreateDateColumn`, Rails'
 * `timestamp`): `extract(epoch ...)` takes its wall-clock time as UTC, whatever the session's time zone, so ids
 * written by an application whose clock was on another zone encode instants off by that zone's offset.
 */
function zoneNote(type: string): string {
  return type.startsWith('timestamp') && type.endsWith('without time zone')
    ? ', a timestamp without time zone: its wall-clock time read as UTC'
    : '';
}

/** A readable rendering of a plan. */
export function formatCutoverPlan(plan: CutoverPlan): string {
  const lines = [
    `user graph from ${plan.usersTable} (created: ${plan.createdColumn}${plan.preset ? `, preset ${plan.preset}` : ''}):`,
  ];
  for (const table of plan.tables) {
    lines.push(`  ${table.table} (${table.rows.toLocaleString('en-US')} rows)`);
    for (const change of table.converts) lines.push(`    converts: ${change}`);
    lines.push(`    kept: ${table.kept}`);
  }
  for (const fk of plan.foreignKeys) lines.push(`  foreign key kept: ${fk}`);
  for (const object of plan.recreated) lines.push(`  re-created with the new type: ${object}`);
  for (const column of plan.ignored) lines.push(`  not a user reference (declared): ${column}`);
  for (const refusal of plan.refusals) {
    lines.push(`  REFUSED ${refusal.object}: ${refusal.reason}`, `    fix: ${refusal.fix}`);
  }
  lines.push(`  estimated lock time: ~${Math.max(1, Math.round(plan.estimatedLockMs / 1000))} s`);
  return lines.join('\n');
}

/**
 * The planner's estimate of the table's rows, for a plan without a preflight (a refused one). A table never
 * vacuumed or analyzed has none (`reltuples` -1, e.g. just loaded by an ORM): it is counted, rather than
 * printed as empty.
 */
async function estimatedRows(sql: SqlExecutor, relation: Relation): Promise<number> {
  const [row] = await sql.query<{ n: string }>(`SELECT reltuples::int8 AS n FROM pg_class WHERE oid = ?`, [
    relation.oid,
  ]);
  const estimate = Number(row?.n ?? -1);
  if (estimate >= 0) return estimate;
  const [counted] = await sql.query<{ n: string }>(`SELECT count(*) AS n FROM ${qualified(relation)}`);
  return Number(counted?.n ?? 0);
}

/** Everything else on the table, which the in-place conversion keeps: counted, for the plan. */
async function attached(sql: SqlExecutor, relation: Relation): Promise<string> {
  const [row] = await sql.query<Record<string, string | boolean | null>>(
    `SELECT (SELECT count(*) FROM pg_attribute WHERE attrelid = c.oid AND attnum > 0 AND NOT attisdropped) AS columns,
            (SELECT count(*) FROM pg_index WHERE indrelid = c.oid) AS indexes,
            (SELECT count(*) FROM pg_constraint WHERE conrelid = c.oid AND contype IN ('c', 'u', 'x')) AS constraints,
            (SELECT count(*) FROM pg_trigger WHERE tgrelid = c.oid AND NOT tgisinternal) AS triggers,
            (SELECT count(*) FROM pg_policy WHERE polrelid = c.oid) AS policies,
            coalesce(cardinality(c.relacl), 0) AS grants,
            (SELECT count(*) FROM pg_publication_rel WHERE prrelid = c.oid) AS publications,
            c.relrowsecurity AS rls, obj_description(c.oid, 'pg_class') IS NOT NULL AS commented,
            pg_get_userbyid(c.relowner) AS owner,
            (SELECT count(*) FROM pg_partition_tree(c.oid) WHERE level > 0) AS partitions
       FROM pg_class c WHERE c.oid = ?`,
    [relation.oid],
  );
  const parts = [
    `${row?.columns} columns`,
    `${row?.indexes} indexes`,
    `${row?.constraints} other constraints`,
    `${row?.triggers} triggers`,
    `${row?.grants} grants`,
  ];
  if (row?.rls) parts.push(`row security with ${row.policies} policies`);
  else if (Number(row?.policies) > 0) parts.push(`${row?.policies} policies`);
  if (Number(row?.publications) > 0) parts.push(`${row?.publications} publication(s)`);
  if (row?.commented) parts.push('comment');
  parts.push(`owner ${row?.owner}`);
  if (Number(row?.partitions) > 0) parts.push(`${row?.partitions} partitions, converted with it`);
  return parts.join(', ');
}
