import { type ColumnShape, LEGACY_TABLES, MIGRATED_TABLES, TABLES } from './expectedSchemas.js';
import type { SqlExecutor } from './SqlExecutor.js';

export type SchemaState =
  | { readonly state: 'empty' }
  | { readonly state: 'legacy'; readonly relaxedColumns: readonly string[] }
  | { readonly state: 'migrated' }
  | { readonly state: 'mismatch'; readonly differences: readonly string[] };

type LiveTables = Map<string, Map<string, ColumnShape>>;

/**
 * Classifies the four tables in the current schema: absent, the legacy schema, the migrated schema, or
 * something else (with every difference against the closer of the two). A legacy column that lost its
 * NOT NULL still counts as legacy: the preflight then looks for the nulls themselves.
 */
export async function detectSchemaState(sql: SqlExecutor): Promise<SchemaState> {
  const live = await readLiveTables(sql);
  if (live.size === 0) return { state: 'empty' };
  const legacy = compare(live, LEGACY_TABLES, true);
  if (legacy.differences.length === 0) return { state: 'legacy', relaxedColumns: legacy.relaxed };
  const migrated = compare(live, MIGRATED_TABLES, false);
  if (migrated.differences.length === 0) return { state: 'migrated' };
  const closer = migrated.differences.length < legacy.differences.length ? migrated : legacy;
  const against = closer === migrated ? 'the migrated schema' : 'the legacy schema';
  return { state: 'mismatch', differences: closer.differences.map((d) => `${d} (compared with ${against})`) };
}

async function readLiveTables(sql: SqlExecutor): Promise<LiveTables> {
  const rows = await sql.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    character_maximum_length: number | null;
    is_nullable: string;
  }>(
    `SELECT table_name, column_name, data_type, character_maximum_length, is_nullable
       FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name IN (${TABLES.map((t) => `'${t}'`).join(', ')})
      ORDER BY table_name, ordinal_position`,
  );
  const live: LiveTables = new Map();
  for (const row of rows) {
    const type =
      row.character_maximum_length === null
        ? row.data_type
        : `${row.data_type}(${row.character_maximum_length})`;
    let table = live.get(row.table_name);
    if (!table) {
      table = new Map();
      live.set(row.table_name, table);
    }
    table.set(row.column_name, { type, nullable: row.is_nullable === 'YES' });
  }
  return live;
}

function compare(
  live: LiveTables,
  expected: Readonly<Record<string, Readonly<Record<string, ColumnShape>>>>,
  allowRelaxedNullability: boolean,
): { differences: string[]; relaxed: string[] } {
  const differences: string[] = [];
  const relaxed: string[] = [];
  for (const [tableName, columns] of Object.entries(expected)) {
    const table = live.get(tableName);
    if (!table) {
      differences.push(`table "${tableName}" is missing`);
      continue;
    }
    for (const [columnName, shape] of Object.entries(columns)) {
      const actual = table.get(columnName);
      if (!actual) {
        differences.push(`column "${tableName}.${columnName}" is missing`);
      } else if (actual.type !== shape.type) {
        differences.push(`column "${tableName}.${columnName}" is ${actual.type}, expected ${shape.type}`);
      } else if (actual.nullable !== shape.nullable) {
        if (allowRelaxedNullability && actual.nullable) relaxed.push(`${tableName}.${columnName}`);
        else
          differences.push(
            `column "${tableName}.${columnName}" is ${actual.nullable ? 'nullable' : 'NOT NULL'}, expected ${shape.nullable ? 'nullable' : 'NOT NULL'}`,
          );
      }
    }
    for (const columnName of table.keys()) {
      if (!(columnName in columns)) differences.push(`unexpected column "${tableName}.${columnName}"`);
    }
  }
  return { differences, relaxed };
}
