import { display, qualified, quoteIdent, quoteLiteral, type Relation } from './catalog.js';
import type { SqlExecutor } from './SqlExecutor.js';

/**
 * Objects that PostgreSQL will not let `ALTER COLUMN ... TYPE` carry over (a view, a policy or a trigger that
 * reads a converted column): read back from the catalog before the conversion as the statements that drop
 * and re-create them exactly (definition, options, owner, grants, comments, enabled state), then re-created
 * afterwards, when the same definition reads the uuid column. A definition that no longer holds for UUIDs
 * (`WHERE user_id = 42`) fails there and rolls the whole cutover back, naming the object.
 */
export interface RecreatedObject {
  readonly kind: 'view' | 'policy' | 'trigger';
  /** For people: `view public.active_users`. */
  readonly object: string;
  readonly drop: string;
  readonly create: readonly string[];
}

/** Views, with the views built on them, in an order in which they can be created. */
export async function readViews(sql: SqlExecutor, oids: readonly number[]): Promise<RecreatedObject[]> {
  if (oids.length === 0) return [];
  const rows = await sql.query<{
    oid: string;
    schema: string;
    name: string;
    definition: string;
    options: string[] | null;
    owner: string;
    comment: string | null;
  }>(
    `SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name, pg_get_viewdef(c.oid) AS definition,
            c.reloptions AS options, pg_get_userbyid(c.relowner) AS owner,
            obj_description(c.oid, 'pg_class') AS comment
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid IN (${oids.map(() => '?').join(', ')}) ORDER BY c.oid`,
    [...oids],
  );
  const views: RecreatedObject[] = [];
  for (const row of rows) {
    const relation: Relation = { oid: Number(row.oid), schema: row.schema, name: row.name };
    const name = qualified(relation);
    const options = row.options && row.options.length > 0 ? ` WITH (${row.options.join(', ')})` : '';
    views.push({
      kind: 'view',
      object: `view ${display(relation)}`,
      drop: `DROP VIEW ${name}`,
      create: [
        `CREATE VIEW ${name}${options} AS ${row.definition.trim().replace(/;$/, '')}`,
        `ALTER VIEW ${name} OWNER TO ${quoteIdent(row.owner)}`,
        ...(await grantsOf(sql, relation, name)),
        ...(row.comment === null ? [] : [`COMMENT ON VIEW ${name} IS ${quoteLiteral(row.comment)}`]),
        ...(await columnComments(sql, relation, name)),
        ...(await triggersOn(sql, relation)).flatMap((t) => t.create),
      ],
    });
  }
  return orderByDependency(
    sql,
    views,
    rows.map((r) => Number(r.oid)),
  );
}

/** Row-level security policies by oid, as CREATE POLICY statements with their comments. */
export async function readPolicies(sql: SqlExecutor, oids: readonly number[]): Promise<RecreatedObject[]> {
  if (oids.length === 0) return [];
  const rows = await sql.query<{
    name: string;
    schema: string;
    table: string;
    relid: string;
    permissive: boolean;
    command: string;
    roles: string[];
    qual: string | null;
    check: string | null;
    comment: string | null;
  }>(
    `SELECT p.polname AS name, n.nspname AS schema, c.relname AS table, c.oid::int8 AS relid,
            p.polpermissive AS permissive, p.polcmd AS command,
            ARRAY(SELECT CASE WHEN r = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r)) END
                    FROM unnest(p.polroles) r)::text[] AS roles,
            pg_get_expr(p.polqual, p.polrelid) AS qual, pg_get_expr(p.polwithcheck, p.polrelid) AS check,
            obj_description(p.oid, 'pg_policy') AS comment
       FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE p.oid IN (${oids.map(() => '?').join(', ')}) ORDER BY p.oid`,
    [...oids],
  );
  const commands: Record<string, string> = { r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE', '*': 'ALL' };
  return rows.map((row) => {
    const table = qualified({ oid: Number(row.relid), schema: row.schema, name: row.table });
    const name = quoteIdent(row.name);
    return {
      kind: 'policy',
      object: `policy ${row.name} on ${row.schema}.${row.table}`,
      drop: `DROP POLICY ${name} ON ${table}`,
      create: [
        `CREATE POLICY ${name} ON ${table} AS ${row.permissive ? 'PERMISSIVE' : 'RESTRICTIVE'} FOR ${commands[row.command] ?? 'ALL'} TO ${row.roles.join(', ')}${row.qual === null ? '' : ` USING (${row.qual})`}${row.check === null ? '' : ` WITH CHECK (${row.check})`}`,
        ...(row.comment === null
          ? []
          : [`COMMENT ON POLICY ${name} ON ${table} IS ${quoteLiteral(row.comment)}`]),
      ],
    };
  });
}

/** Triggers by oid (user triggers only: a foreign key's own triggers come back with the key). */
export async function readTriggers(sql: SqlExecutor, oids: readonly number[]): Promise<RecreatedObject[]> {
  if (oids.length === 0) return [];
  return triggerStatements(sql, `t.oid IN (${oids.map(() => '?').join(', ')}) AND NOT t.tgisinternal`, oids);
}

async function triggersOn(sql: SqlExecutor, relation: Relation): Promise<RecreatedObject[]> {
  return triggerStatements(sql, 't.tgrelid = ? AND NOT t.tgisinternal', [relation.oid]);
}

async function triggerStatements(
  sql: SqlExecutor,
  where: string,
  params: readonly unknown[],
): Promise<RecreatedObject[]> {
  const rows = await sql.query<{
    name: string;
    schema: string;
    table: string;
    relid: string;
    definition: string;
    enabled: string;
    comment: string | null;
  }>(
    `SELECT t.tgname AS name, n.nspname AS schema, c.relname AS table, c.oid::int8 AS relid,
            pg_get_triggerdef(t.oid) AS definition, t.tgenabled AS enabled,
            obj_description(t.oid, 'pg_trigger') AS comment
       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE ${where} ORDER BY t.oid`,
    [...params],
  );
  const states: Record<string, string> = { D: 'DISABLE', R: 'ENABLE REPLICA', A: 'ENABLE ALWAYS' };
  return rows.map((row) => {
    const table = qualified({ oid: Number(row.relid), schema: row.schema, name: row.table });
    const name = quoteIdent(row.name);
    const state = states[row.enabled];
    return {
      kind: 'trigger',
      object: `trigger ${row.name} on ${row.schema}.${row.table}`,
      drop: `DROP TRIGGER ${name} ON ${table}`,
      create: [
        row.definition,
        ...(state ? [`ALTER TABLE ${table} ${state} TRIGGER ${name}`] : []),
        ...(row.comment === null
          ? []
          : [`COMMENT ON TRIGGER ${name} ON ${table} IS ${quoteLiteral(row.comment)}`]),
      ],
    };
  });
}

/** GRANT statements that give every role but the owner what it holds on `relation` (and its columns). */
async function grantsOf(sql: SqlExecutor, relation: Relation, name: string): Promise<string[]> {
  const rows = await sql.query<{
    grantee: string;
    privilege: string;
    grantable: boolean;
    column: string | null;
  }>(
    `SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END AS grantee,
            a.privilege_type AS privilege, a.is_grantable AS grantable, NULL::text AS column
       FROM pg_class c, aclexplode(c.relacl) a
      WHERE c.oid = ? AND a.grantee <> c.relowner
     UNION ALL
     SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
            a.privilege_type, a.is_grantable, quote_ident(att.attname)
       FROM pg_attribute att JOIN pg_class c ON c.oid = att.attrelid, aclexplode(att.attacl) a
      WHERE att.attrelid = ? AND att.attnum > 0 AND a.grantee <> c.relowner
      ORDER BY 1, 4, 2`,
    [relation.oid, relation.oid],
  );
  const [acl] = await sql.query<{ present: boolean }>(
    `SELECT relacl IS NOT NULL AS present FROM pg_class WHERE oid = ?`,
    [relation.oid],
  );
  // No ACL: the owner's default privileges, which the new view gets as well.
  if (!acl?.present && rows.length === 0) return [];
  return [
    `REVOKE ALL ON ${name} FROM PUBLIC`,
    ...rows.map(
      (r) =>
        `GRANT ${r.privilege}${r.column === null ? '' : ` (${r.column})`} ON ${name} TO ${r.grantee}${r.grantable ? ' WITH GRANT OPTION' : ''}`,
    ),
  ];
}

async function columnComments(sql: SqlExecutor, relation: Relation, name: string): Promise<string[]> {
  const rows = await sql.query<{ column: string; comment: string }>(
    `SELECT a.attname AS column, col_description(a.attrelid, a.attnum) AS comment
       FROM pg_attribute a WHERE a.attrelid = ? AND a.attnum > 0 AND col_description(a.attrelid, a.attnum) IS NOT NULL
      ORDER BY a.attnum`,
    [relation.oid],
  );
  return rows.map((r) => `COMMENT ON COLUMN ${name}.${quoteIdent(r.column)} IS ${quoteLiteral(r.comment)}`);
}

/** Views sorted so that each comes after the views it reads. */
async function orderByDependency(
  sql: SqlExecutor,
  views: RecreatedObject[],
  oids: readonly number[],
): Promise<RecreatedObject[]> {
  const edges = await sql.query<{ view: string; reads: string }>(
    `SELECT DISTINCT r.ev_class::int8 AS view, d.refobjid::int8 AS reads
       FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
      WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
        AND r.ev_class <> d.refobjid AND r.ev_class IN (${oids.map(() => '?').join(', ')})`,
    [...oids],
  );
  const byOid = new Map(oids.map((oid, i) => [oid, views[i]!]));
  const reads = new Map<number, number[]>();
  for (const e of edges) reads.set(Number(e.view), [...(reads.get(Number(e.view)) ?? []), Number(e.reads)]);
  const ordered: RecreatedObject[] = [];
  const placed = new Set<number>();
  const visit = (oid: number) => {
    if (placed.has(oid) || !byOid.has(oid)) return;
    placed.add(oid);
    for (const dependency of reads.get(oid) ?? []) visit(dependency);
    ordered.push(byOid.get(oid)!);
  };
  for (const oid of oids) visit(oid);
  return ordered;
}

/** Views (by oid) that read any of `oids`, transitively, with `oids` themselves. */
export async function viewClosure(sql: SqlExecutor, oids: readonly number[]): Promise<number[]> {
  const all = new Set(oids);
  let frontier = [...oids];
  while (frontier.length > 0) {
    const rows = await sql.query<{ oid: string }>(
      `SELECT DISTINCT r.ev_class::int8 AS oid
         FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
        WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
          AND d.refobjid IN (${frontier.map(() => '?').join(', ')}) AND r.ev_class <> d.refobjid`,
      [...frontier],
    );
    frontier = rows.map((r) => Number(r.oid)).filter((oid) => !all.has(oid));
    for (const oid of frontier) all.add(oid);
  }
  return [...all];
}
