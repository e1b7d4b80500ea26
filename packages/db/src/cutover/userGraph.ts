import type { Refusal } from '../errors.js';
import { UsersTableNotFoundError } from '../errors.js';
import type { CutoverConfig } from './CutoverConfig.js';
import {
  type Column,
  dependentsOf,
  display,
  displayColumn,
  type ForeignKey,
  findRelation,
  foreignKeysFrom,
  foreignKeysReferencing,
  INTEGER_TYPES,
  listTables,
  OWN_TABLES,
  primaryKeyColumn,
  qualified,
  quoteIdent,
  quoteLiteral,
  type Relation,
  readColumns,
  USER_SCHEMAS_SQL,
} from './catalog.js';
import { LEGACY_TABLES, type TableName } from './expectedSchemas.js';
import { type ResolvedConfig, resolveConfig } from './presets.js';
import { expressionsThatBreak } from './probeExpressions.js';
import {
  type RecreatedObject,
  readPolicies,
  readTriggers,
  readViews,
  viewClosure,
} from './recreatedObjects.js';
import type { SqlExecutor } from './SqlExecutor.js';

/** `format_type` of the types a creation column may have: with or without time zone, any precision. */
const TIMESTAMP_TYPE = /^timestamp/;

/** The creation column of the product's `users`, which (with the table's name) tells it from a team's own. */
const PRODUCT_USERS_CREATED = 'date_joined';

/** The product's own child tables, with the instant their UUIDv6 keys encode. */
export const PRODUCT_TABLES: Readonly<Record<Exclude<TableName, 'users'>, string>> = {
  user_profiles: 'created_at',
  verification_tokens: 'created_at',
  social_accounts: 'date_joined',
};

/** A table whose own integer key becomes a UUIDv6 encoding the row's creation instant. */
export interface KeyTable {
  readonly relation: Relation;
  readonly key: Column;
  readonly created: Column;
  /** `users` for the user table, the product table's name for the product's own tables. */
  readonly role: 'users' | TableName;
}

/** A column that holds keys of a `KeyTable` and becomes `uuid` through that table's map. */
export interface ConvertedReference {
  readonly column: Column;
  readonly target: KeyTable;
  readonly via: string;
}

/** A text column of a generic relation: matching rows get the user's UUID as text. */
export interface TextTranslation {
  readonly column: Column;
  readonly when: string | undefined;
}

/** What the cutover will do to a database's user graph, read from the catalog (and the configuration). */
export interface UserGraph {
  readonly config: ResolvedConfig;
  /**
   * The user table is the product's `users`, with its creation column `date_joined`: its schema is checked, its
   * child tables get keys of their own and end as the entities declare them. A team's own table that happens
   * to be called `users` (Sequelize's `tableName: 'users'`, TypeORM's `@Entity('users')`) with another creation
   * column converts like any other user table.
   */
  readonly product: boolean;
  readonly users: KeyTable;
  /** The user table first. */
  readonly keyTables: readonly KeyTable[];
  readonly references: readonly ConvertedReference[];
  /** Foreign keys on converted columns: dropped before the conversion, added back as they were. */
  readonly foreignKeys: readonly ForeignKey[];
  /** Views, policies and triggers on converted columns: dropped and re-created. */
  readonly recreated: readonly RecreatedObject[];
  readonly translations: readonly TextTranslation[];
  readonly deletions: readonly Relation[];
  /** Columns declared not to be user references. */
  readonly ignored: readonly string[];
  /** Every table the cutover changes, the user table first: the order locks are taken in. */
  readonly tables: readonly Relation[];
  /** Views whose definitions are re-created (locked too). */
  readonly views: readonly Relation[];
  readonly refusals: readonly Refusal[];
}

/**
 * Where the database stands, from the user table alone (no definitions are read, so no lock is taken):
 * no tables at all, a user table with integer keys, or one with uuid keys. Tables without the user table
 * throw `UsersTableNotFoundError`.
 */
export async function readGraphState(
  sql: SqlExecutor,
  input: CutoverConfig,
): Promise<{ readonly state: 'empty' | 'legacy' | 'migrated' }> {
  const found = await userTableState(sql, await resolveConfig(sql, input));
  return { state: found.state };
}

async function userTableState(
  sql: SqlExecutor,
  config: ResolvedConfig,
): Promise<{ state: 'empty' } | { state: 'legacy' | 'migrated'; users: Relation }> {
  const users = await findRelation(sql, config.usersTable);
  if (!users) {
    const tables = await listTables(sql);
    if (tables.length === 0) return { state: 'empty' };
    throw new UsersTableNotFoundError(config.usersTable, tables);
  }
  const key = (await readColumns(sql, users)).get((await primaryKeyColumn(sql, users)) ?? '');
  return { state: key?.type === 'uuid' ? 'migrated' : 'legacy', users };
}

/** What converts on one table of the graph: its own key (if it is a key table) and its reference columns. */
export function conversionsOf(
  graph: UserGraph,
  relation: Relation,
): { key: KeyTable | undefined; references: ConvertedReference[] } {
  return {
    key: graph.keyTables.find((t) => t.relation.oid === relation.oid),
    references: graph.references.filter((r) => r.column.relation.oid === relation.oid),
  };
}

export type GraphState =
  | { readonly state: 'empty' }
  | { readonly state: 'migrated'; readonly users: Relation }
  | { readonly state: 'legacy'; readonly graph: UserGraph };

/**
 * Reads the user graph from the catalog: the user table and its integer key, every foreign key that
 * references a converted key (at any depth), the product's own tables, the columns that look like user ids
 * without a foreign key, and every object on a converted column that PostgreSQL cannot carry through a type
 * change. Anything the cutover will not handle by itself becomes a refusal, so that nothing starts.
 * A database with no tables at all is `empty`; one with tables but no user table throws
 * `UsersTableNotFoundError`.
 */
export async function readUserGraph(sql: SqlExecutor, input: CutoverConfig): Promise<GraphState> {
  const config = await resolveConfig(sql, input);
  const found = await userTableState(sql, config);
  if (found.state === 'empty') return found;
  if (found.state === 'migrated') return { state: 'migrated', users: found.users };
  const usersRelation = found.users;
  const refusals: Refusal[] = [];
  const refuse = (object: string, reason: string, fix: string) => refusals.push({ object, reason, fix });

  const usersColumns = await readColumns(sql, usersRelation);
  const keyName = await primaryKeyColumn(sql, usersRelation);
  const key = keyName === undefined ? undefined : usersColumns.get(keyName);
  const created = usersColumns.get(config.createdColumn);

  const timestamps = [...usersColumns.values()].filter((c) => TIMESTAMP_TYPE.test(c.type)).map((c) => c.name);
  const users = keyTable(usersRelation, key, created, 'users', refuse, config, timestamps);
  const keyTables: KeyTable[] = [];
  if (users) keyTables.push(users);
  const product = usersRelation.name === 'users' && config.createdColumn === PRODUCT_USERS_CREATED;
  if (users && product) {
    for (const [name, createdColumn] of Object.entries(PRODUCT_TABLES)) {
      const relation = await findRelation(sql, `${usersRelation.schema}.${name}`);
      if (!relation) continue;
      const columns = await readColumns(sql, relation);
      checkProductColumns(name as TableName, columns, refuse);
      const childKey = columns.get((await primaryKeyColumn(sql, relation)) ?? '');
      const table = keyTable(relation, childKey, columns.get(createdColumn), name as TableName, refuse);
      if (table) keyTables.push(table);
    }
  }
  if (users && product) checkProductColumns('users', usersColumns, refuse);

  // Every column that converts, found breadth-first from the keys: references of a key convert through its
  // map, and columns referencing a converted reference (a 1:1 table's key, say) convert through the same one.
  const references: ConvertedReference[] = [];
  const foreignKeys = new Map<number, ForeignKey>();
  const converted = new Map<string, KeyTable>();
  const columnKey = (c: Column) => `${c.relation.oid}:${c.attnum}`;
  const queue: { column: Column; target: KeyTable }[] = [];
  for (const table of keyTables) {
    converted.set(columnKey(table.key), table);
    queue.push({ column: table.key, target: table });
  }
  const columnsOf = new Map<number, Map<string, Column>>();
  const columnsFor = async (relation: Relation) => {
    let columns = columnsOf.get(relation.oid);
    if (!columns) {
      columns = await readColumns(sql, relation);
      columnsOf.set(relation.oid, columns);
    }
    return columns;
  };
  const addReference = (column: Column, target: KeyTable, via: string) => {
    if (converted.has(columnKey(column))) return;
    if (!INTEGER_TYPES.has(column.type)) {
      refuse(
        `column ${displayColumn(column)}`,
        `holds ids of ${display(target.relation)} but is ${column.type}`,
        'make it an integer column (or drop the reference) before the cutover',
      );
      return;
    }
    converted.set(columnKey(column), target);
    references.push({ column, target, via });
    queue.push({ column, target });
  };
  while (queue.length > 0) {
    const { column, target } = queue.shift()!;
    for (const fk of await foreignKeysReferencing(sql, column)) {
      foreignKeys.set(fk.oid, fk);
      if (fk.columns.length !== 1) {
        refuse(
          `foreign key ${fk.name} on ${display(fk.relation)}`,
          `references ${displayColumn(column)} together with other columns (${fk.referencedColumns.join(', ')})`,
          'composite keys over the user key are not converted: drop the constraint before the cutover and re-create it after',
        );
        continue;
      }
      const referencing = (await columnsFor(fk.relation)).get(fk.columns[0]!)!;
      addReference(referencing, target, `foreign key ${fk.name}`);
    }
  }
  if (users && product) {
    for (const table of keyTables.slice(1)) {
      const userId = (await columnsFor(table.relation)).get('user_id');
      if (userId) addReference(userId, users, 'the product schema');
    }
  }

  // Declared references and deletions.
  const ignored = new Map<string, string>();
  // Declared for translation: not "undeclared" even when the user table's own refusal leaves nothing to convert.
  const declared = new Set<string>();
  const translations: TextTranslation[] = [];
  for (const [i, rule] of config.references.entries()) {
    const relation = await findRelation(sql, rule.table);
    const column = relation ? (await columnsFor(relation)).get(rule.column) : undefined;
    if (!relation || !column) {
      refuse(
        `references[${i}] (${rule.table}.${rule.column})`,
        relation ? `table ${display(relation)} has no column "${rule.column}"` : `no table "${rule.table}"`,
        'correct the rule or remove it',
      );
      continue;
    }
    if (rule.action === 'ignore') {
      ignored.set(columnKey(column), displayColumn(column));
    } else if (INTEGER_TYPES.has(column.type) && rule.when === undefined) {
      declared.add(columnKey(column));
      if (users) addReference(column, users, `rule references[${i}]`);
    } else if (/^(text|character varying.*)$/.test(column.type)) {
      translations.push({ column, when: rule.when });
      ignored.set(columnKey(column), displayColumn(column));
    } else {
      refuse(
        `column ${displayColumn(column)}`,
        `is ${column.type}${rule.when === undefined ? '' : ' with a "when" condition'}: a UUID cannot be written into it`,
        'translate integer columns without "when" (they become uuid) or text columns of generic relations',
      );
    }
  }
  const deletions: Relation[] = [];
  for (const [i, name] of config.deleteRows.entries()) {
    const relation = await findRelation(sql, name);
    if (relation) deletions.push(relation);
    else refuse(`deleteRows[${i}] (${name})`, `no table "${name}"`, 'correct the name or remove it');
  }

  // Columns that look like user ids but are not: refuse until each is declared.
  for (const candidate of await candidateReferences(sql)) {
    const column = (await columnsFor(candidate.relation)).get(candidate.column)!;
    const id = columnKey(column);
    if (
      converted.has(id) ||
      declared.has(id) ||
      ignored.has(id) ||
      deletions.some((d) => d.oid === column.relation.oid)
    )
      continue;
    refuse(
      `column ${displayColumn(column)}`,
      `${candidate.why} but has no foreign key to ${display(usersRelation)}`,
      `declare it in the configuration's "references": {"table": "${display(column.relation)}", "column": "${column.name}", "action": "translate" | "ignore"${candidate.generic ? `, "when": "<condition on ${candidate.generic}>"` : ''}}`,
    );
  }

  // Converted key columns that point elsewhere themselves are not supported.
  for (const reference of references) {
    for (const fk of await foreignKeysFrom(sql, reference.column)) {
      if (!foreignKeys.has(fk.oid)) {
        const target = (await columnsFor(fk.referenced)).get(fk.referencedColumns[0] ?? '');
        if (!target || !converted.has(columnKey(target))) {
          refuse(
            `foreign key ${fk.name} on ${display(fk.relation)}`,
            `the converted column ${displayColumn(reference.column)} also references ${display(fk.referenced)}, which keeps integer keys`,
            'drop that constraint before the cutover',
          );
        }
      }
    }
  }

  // Objects on converted columns.
  const convertedColumns = [...keyTables.map((t) => t.key), ...references.map((r) => r.column)];
  const viewOids = new Set<number>();
  const policyOids: number[] = [];
  const triggerOids: number[] = [];
  for (const dependent of await dependentsOf(sql, convertedColumns)) {
    const on = displayColumn(dependent.column);
    switch (dependent.catalog) {
      case 'pg_constraint':
      case 'pg_index':
      case 'pg_statistic_ext':
        break; // PostgreSQL re-creates these with the column; foreign keys are handled above
      case 'pg_policy':
        policyOids.push(dependent.objid);
        break;
      case 'pg_trigger':
        triggerOids.push(dependent.objid);
        break;
      case 'pg_rewrite': {
        const [rule] = await sql.query<{ relid: string; kind: string; rule: string; name: string }>(
          `SELECT r.ev_class::int8 AS relid, c.relkind AS kind, r.rulename AS rule,
                  CASE n.nspname WHEN 'public' THEN '' ELSE n.nspname || '.' END || c.relname AS name
             FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE r.oid = ?`,
          [dependent.objid],
        );
        if (rule?.kind === 'v' && rule.rule === '_RETURN') viewOids.add(Number(rule.relid));
        else if (rule?.kind === 'm')
          refuse(
            `materialized view ${rule.name}`,
            `reads ${on}, which becomes uuid`,
            'drop it before the cutover and re-create (and refresh) it after',
          );
        else
          refuse(
            `rule ${rule?.rule} on ${rule?.name}`,
            `reads ${on}, which becomes uuid`,
            'drop the rule before the cutover and re-create it after',
          );
        break;
      }
      case 'pg_attrdef':
        refuse(
          `a generated column or default on ${display(dependent.column.relation)}`,
          `is computed from ${on}, which becomes uuid`,
          'drop the generated column before the cutover and add it back after',
        );
        break;
      case 'pg_proc': {
        const [fn] = await sql.query<{ name: string }>(`SELECT ?::int8::regprocedure::text AS name`, [
          dependent.objid,
        ]);
        refuse(
          `function ${fn?.name}`,
          `its SQL-standard body reads ${on}, which becomes uuid`,
          'drop the function before the cutover and re-create it after',
        );
        break;
      }
      default:
        refuse(
          `an object in ${dependent.catalog} (oid ${dependent.objid})`,
          `depends on ${on}, which becomes uuid`,
          'drop it before the cutover and re-create it after',
        );
    }
  }
  const allViews = await viewClosure(sql, [...viewOids]);
  const viewRelations = await relationsOf(sql, allViews);
  for (const view of viewRelations) {
    if (view.kind !== 'v') {
      refuse(
        `materialized view ${display(view)}`,
        'reads a view that is re-created',
        'drop it before the cutover and re-create it after',
      );
    }
    for (const blocker of await nonViewDependents(sql, view)) {
      refuse(
        blocker,
        `depends on view ${display(view)}, which is re-created`,
        'drop it before the cutover and re-create it after',
      );
    }
  }
  const recreated = [
    ...(await readViews(sql, allViews)),
    ...(await readPolicies(sql, policyOids)),
    ...(await readTriggers(sql, triggerOids)),
  ];

  // Every table that changes, the user table first (locks are taken in this order).
  const tables = new Map<number, Relation>();
  for (const table of keyTables) tables.set(table.relation.oid, table.relation);
  for (const reference of references) tables.set(reference.column.relation.oid, reference.column.relation);
  for (const fk of foreignKeys.values()) tables.set(fk.relation.oid, fk.relation);
  for (const translation of translations)
    tables.set(translation.column.relation.oid, translation.column.relation);
  for (const relation of deletions) tables.set(relation.oid, relation);
  const becomingUuid = [...keyTables.map((t) => t.key), ...references.map((r) => r.column)];
  for (const broken of await expressionsThatBreak(sql, becomingUuid)) {
    refuse(
      broken.object,
      `reads ${broken.columns.join(', ')}, which become${broken.columns.length === 1 ? 's' : ''} uuid, and then fails: ${broken.error}`,
      'drop it before the cutover, and re-create it for uuid after if it is still needed',
    );
  }
  for (const { reference, expression } of await defaultsOf(sql, references)) {
    const { column, target } = reference;
    const legacyUserId = target.role === 'users' && /^\d+$/.test(expression) ? expression : undefined;
    refuse(
      `column ${displayColumn(column)}`,
      `has a default (${expression}) that cannot become a uuid by itself`,
      `drop it before the cutover (ALTER TABLE ${qualified(column.relation)} ALTER COLUMN ${quoteIdent(column.name)} DROP DEFAULT)${legacyUserId === undefined ? '' : `, and after it set the new id of that user as its default (SELECT user_id FROM legacy_user_ids WHERE legacy_id = ${legacyUserId})`}`,
    );
  }
  const views = new Set(viewRelations.map((v) => v.oid));
  for (const { relation, owner } of await notOwned(sql, [...tables.values(), ...viewRelations])) {
    refuse(
      `${views.has(relation.oid) ? 'view' : 'table'} ${display(relation)}`,
      `is owned by ${owner}: only its owner (or a member of that role) can alter it`,
      `run the cutover as ${owner}, or as a member of that role`,
    );
  }
  for (const missing of await missingDatabasePrivileges(sql)) {
    refuse(missing.object, missing.reason, missing.fix);
  }
  const keyed = new Set(keyTables.map((t) => t.relation.oid));
  for (const { relation, kind, parent } of await inheritanceOf(sql, [...tables.values()])) {
    // A partitioned table that only references keys converts with its partitions: no fix needed.
    const fix = keyed.has(relation.oid)
      ? 'a table whose rows get UUIDv6 keys is converted on its own: detach its partitions or children first, or convert it by hand'
      : {
          partitioned: undefined,
          partition: `declare the reference (or put the foreign key) on ${parent}, which converts with all its partitions`,
          inherited:
            'make it a partitioned table or a table of its own before the cutover, or convert it by hand',
        }[kind];
    if (fix === undefined) continue;
    const reason = {
      partitioned: 'is partitioned',
      partition: `is a partition of ${parent}, whose column types it must keep`,
      inherited: 'takes part in table inheritance (INHERITS)',
    }[kind];
    refuse(`table ${display(relation)}`, reason, fix);
  }
  if (!users) {
    return {
      state: 'legacy',
      graph: emptyGraph(config, usersRelation, refusals),
    };
  }
  return {
    state: 'legacy',
    graph: {
      config,
      product,
      users,
      keyTables,
      references,
      foreignKeys: [...foreignKeys.values()],
      recreated,
      translations,
      deletions,
      ignored: [...ignored.values()],
      tables: [...tables.values()],
      views: viewRelations,
      refusals,
    },
  };

  function keyTable(
    relation: Relation,
    keyColumn: Column | undefined,
    createdColumn: Column | undefined,
    role: KeyTable['role'],
    refuseWith: typeof refuse,
    resolved?: ResolvedConfig,
    /** The user table's timestamp columns, named when the creation column is not one of them. */
    timestampColumns: readonly string[] = [],
  ): KeyTable | undefined {
    if (!keyColumn || !INTEGER_TYPES.has(keyColumn.type)) {
      refuseWith(
        `table ${display(relation)}`,
        keyColumn
          ? `its primary key ${keyColumn.name} is ${keyColumn.type}, not an integer`
          : 'has no single-column primary key',
        role === 'users'
          ? 'the user table needs a single-column integer primary key (or a uuid one: then it is already migrated)'
          : 'give it a single-column integer primary key',
      );
      return undefined;
    }
    if (!createdColumn || !TIMESTAMP_TYPE.test(createdColumn.type)) {
      // ORMs name it createdAt, created_at, inserted_at...; names are case-sensitive ("createdAt" is not createdat)
      const found =
        role !== 'users'
          ? ''
          : timestampColumns.length === 0
            ? ' (it has no timestamp column)'
            : ` (its timestamp columns: ${timestampColumns.map((c) => `"${c}"`).join(', ')})`;
      refuseWith(
        `table ${display(relation)}`,
        createdColumn
          ? `its creation column ${createdColumn.name} is ${createdColumn.type}, not a timestamp${found}`
          : `has no creation column "${role === 'users' ? resolved?.createdColumn : PRODUCT_TABLES[role]}"${found}`,
        role === 'users'
          ? 'name the column holding when each user joined with --created-column (or "createdColumn")'
          : 'the product table needs its creation column',
      );
      return undefined;
    }
    return { relation, key: keyColumn, created: createdColumn, role };
  }
}

function emptyGraph(config: ResolvedConfig, relation: Relation, refusals: Refusal[]): UserGraph {
  const placeholder = { relation, name: '', attnum: 0, type: '', notNull: false };
  return {
    config,
    product: false,
    users: { relation, key: placeholder, created: placeholder, role: 'users' },
    keyTables: [],
    references: [],
    foreignKeys: [],
    recreated: [],
    translations: [],
    deletions: [],
    ignored: [],
    tables: [relation],
    views: [],
    refusals,
  };
}

function checkProductColumns(
  table: TableName,
  columns: ReadonlyMap<string, Column>,
  refuse: (object: string, reason: string, fix: string) => void,
): void {
  for (const [name, shape] of Object.entries(LEGACY_TABLES[table]!)) {
    const column = columns.get(name);
    if (!column) {
      refuse(`table ${table}`, `the product's column "${name}" is missing`, 'restore the legacy column');
    } else if (normaliseType(column.type) !== shape.type) {
      refuse(
        `column ${table}.${name}`,
        `is ${column.type}, the product's schema has ${shape.type}`,
        'restore the legacy column type',
      );
    }
  }
}

/** `format_type` spelling to the `information_schema` one the expected schemas use. */
function normaliseType(type: string): string {
  return type.replace(/^timestamp\((\d)\) with time zone$/, 'timestamp with time zone');
}

/**
 * Names of integer columns that may hold user ids: `user_id`, `owner_id`, `*_user_id`, and the camelCase and
 * PascalCase forms Node ORMs give them (`userId`, `ownerId`, `*UserId`; Sequelize's `UserId` from a
 * `belongsTo(User, { constraints: false })`, which has no foreign key).
 */
const USER_ID_NAME = /^(user_id|owner_id|.+_user_id|[uU]serId|[oO]wnerId|.+UserId)$/;

interface Candidate {
  readonly relation: Relation;
  readonly column: string;
  readonly why: string;
  /** The content-type column of a generic relation. */
  readonly generic?: string;
}

/**
 * Columns that may hold user ids without a foreign key: integer columns named like `USER_ID_NAME`, and the id
 * half of generic relations (Django's `content_type_id` + `object_id`, Rails' `<name>_type` + `<name>_id`).
 */
async function candidateReferences(sql: SqlExecutor): Promise<Candidate[]> {
  const rows = await sql.query<{
    oid: string;
    schema: string;
    table: string;
    column: string;
    integer: boolean;
    generic: string | null;
  }>(
    `SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS table, a.attname AS column,
            a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype) AS integer,
            (SELECT g.attname FROM pg_attribute g
              WHERE g.attrelid = c.oid AND NOT g.attisdropped AND g.attnum > 0
                AND ((a.attname = 'object_id' AND g.attname = 'content_type_id')
                  OR (a.attname LIKE '%\\_id' AND g.attname = left(a.attname, -3) || '_type'))
              LIMIT 1) AS generic
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND ${USER_SCHEMAS_SQL}
        AND a.attnum > 0 AND NOT a.attisdropped
        AND c.relname NOT IN (${OWN_TABLES.map(quoteLiteral).join(', ')})
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k
                         WHERE k.conrelid = c.oid AND k.contype = 'f' AND a.attnum = ANY (k.conkey))
      ORDER BY n.nspname, c.relname, a.attnum`,
  );
  const candidates: Candidate[] = [];
  for (const row of rows) {
    const relation = { oid: Number(row.oid), schema: row.schema, name: row.table };
    if (row.generic !== null) {
      candidates.push({
        relation,
        column: row.column,
        why: `is the id of a generic relation (with ${row.generic}) and may point at users`,
        generic: row.generic,
      });
    } else if (row.integer && USER_ID_NAME.test(row.column)) {
      candidates.push({ relation, column: row.column, why: 'is named like a user id' });
    }
  }
  return candidates;
}

async function relationsOf(
  sql: SqlExecutor,
  oids: readonly number[],
): Promise<(Relation & { kind: string })[]> {
  if (oids.length === 0) return [];
  const rows = await sql.query<{ oid: string; schema: string; name: string; kind: string }>(
    `SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid IN (${oids.map(() => '?').join(', ')}) ORDER BY c.oid`,
    [...oids],
  );
  return rows.map((r) => ({ oid: Number(r.oid), schema: r.schema, name: r.name, kind: r.kind }));
}

/** Objects other than views that depend on `view` (a policy, a function, a rule elsewhere): blockers. */
async function nonViewDependents(sql: SqlExecutor, view: Relation): Promise<string[]> {
  const rows = await sql.query<{ what: string }>(
    `SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS what
       FROM pg_depend d
      WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = ? AND d.deptype = 'n'
        AND NOT (d.classid = 'pg_rewrite'::regclass
                 AND EXISTS (SELECT 1 FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
                              WHERE r.oid = d.objid AND c.relkind = 'v' AND r.rulename = '_RETURN'))
        AND d.classid <> 'pg_trigger'::regclass`,
    [view.oid],
  );
  return rows.map((r) => r.what);
}

type TreeKind = 'partitioned' | 'partition' | 'inherited';

/**
 * Tables among `relations` that are partitioned (converted in place with all their partitions: PostgreSQL
 * carries a column's new type, its indexes and the partitions' copies of a foreign key down the tree), a
 * partition (`parent` is its partitioned table), or in an INHERITS tree.
 */
async function inheritanceOf(
  sql: SqlExecutor,
  relations: readonly Relation[],
): Promise<{ relation: Relation; kind: TreeKind; parent: string | null }[]> {
  if (relations.length === 0) return [];
  const rows = await sql.query<{ oid: string; kind: TreeKind; parent: string | null }>(
    `SELECT c.oid::int8 AS oid,
            CASE WHEN c.relispartition THEN 'partition' WHEN c.relkind = 'p' THEN 'partitioned' ELSE 'inherited' END AS kind,
            (SELECT i.inhparent::regclass::text FROM pg_inherits i WHERE i.inhrelid = c.oid AND c.relispartition) AS parent
       FROM pg_class c
      WHERE c.oid IN (${relations.map(() => '?').join(', ')})
        AND (c.relkind = 'p' OR c.relispartition
             OR EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid OR i.inhparent = c.oid))`,
    relations.map((r) => r.oid),
  );
  const byOid = new Map(relations.map((r) => [r.oid, r]));
  return rows.map((row) => ({ relation: byOid.get(Number(row.oid))!, kind: row.kind, parent: row.parent }));
}

/** Tables and views among `relations` that the current role may not alter: not its own, nor a role it is in. */
async function notOwned(
  sql: SqlExecutor,
  relations: readonly Relation[],
): Promise<{ relation: Relation; owner: string }[]> {
  if (relations.length === 0) return [];
  const rows = await sql.query<{ oid: string; owner: string }>(
    `SELECT c.oid::int8 AS oid, pg_get_userbyid(c.relowner) AS owner FROM pg_class c
      WHERE c.oid IN (${relations.map(() => '?').join(', ')}) AND NOT pg_has_role(c.relowner, 'USAGE')
      ORDER BY c.oid`,
    relations.map((r) => r.oid),
  );
  const byOid = new Map(relations.map((r) => [r.oid, r]));
  return rows.map((row) => ({ relation: byOid.get(Number(row.oid))!, owner: row.owner }));
}

/** The cutover creates `legacy_user_ids` in the current schema and works in temporary tables. */
async function missingDatabasePrivileges(sql: SqlExecutor): Promise<Refusal[]> {
  const [row] = await sql.query<{
    me: string;
    database: string;
    schema: string | null;
    create: boolean;
    temp: boolean;
  }>(
    `SELECT current_user AS me, current_database() AS database, current_schema() AS schema,
            coalesce(has_schema_privilege(current_schema(), 'CREATE'), false) AS create,
            has_database_privilege(current_database(), 'TEMP') AS temp`,
  );
  if (!row) return [];
  const refusals: Refusal[] = [];
  if (!row.create) {
    refusals.push({
      object: row.schema === null ? 'the search path' : `schema ${row.schema}`,
      reason:
        row.schema === null
          ? 'names no existing schema, where legacy_user_ids would be created'
          : `does not let ${row.me} create legacy_user_ids there`,
      fix:
        row.schema === null
          ? "set the search path of the role the cutover runs as to the user table's schema"
          : `GRANT CREATE ON SCHEMA ${quoteIdent(row.schema)} TO ${quoteIdent(row.me)}`,
    });
  }
  if (!row.temp) {
    refusals.push({
      object: 'the database',
      reason: `does not let ${row.me} create the temporary tables the cutover works in`,
      fix: `GRANT TEMPORARY ON DATABASE ${quoteIdent(row.database)} TO ${quoteIdent(row.me)}`,
    });
  }
  return refusals;
}

/** The references among `references` whose column has a default other than NULL, with its expression. */
async function defaultsOf(
  sql: SqlExecutor,
  references: readonly ConvertedReference[],
): Promise<{ reference: ConvertedReference; expression: string }[]> {
  if (references.length === 0) return [];
  const rows = await sql.query<{ relid: string; attnum: number; expression: string }>(
    `SELECT d.adrelid::int8 AS relid, d.adnum AS attnum, pg_get_expr(d.adbin, d.adrelid) AS expression
       FROM pg_attrdef d
      WHERE (d.adrelid::int8, d.adnum::int4) IN (${references.map(() => '(?::int8, ?::int4)').join(', ')})
      ORDER BY 1, 2`,
    references.flatMap(({ column }) => [column.relation.oid, column.attnum]),
  );
  const byKey = new Map(references.map((r) => [`${r.column.relation.oid}:${r.column.attnum}`, r]));
  return rows
    .filter((row) => row.expression.toUpperCase() !== 'NULL')
    .map((row) => ({ reference: byKey.get(`${row.relid}:${row.attnum}`)!, expression: row.expression }));
}
