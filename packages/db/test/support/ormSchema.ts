import { readFile } from 'node:fs/promises';
import type { Orm } from '../../src/index.js';
import { rows, withOrm } from './withOrm.js';

/**
 * Loads a `pg_dump --schema-only` file into the database at `url`, on a connection of its own (the dump empties
 * `search_path` for the session). psql's meta-commands (`\restrict`, `\unrestrict` of recent dumps) are skipped.
 */
export async function loadSchemaFile(url: string, file: URL): Promise<void> {
  const dump = await readFile(file, 'utf8');
  const statements = dump
    .split('\n')
    .filter((line) => !line.startsWith('\\'))
    .join('\n');
  await withOrm(url, async (orm) => {
    await orm.em.getConnection().execute(statements, [], 'run');
  });
}

/** Runs `statements` in order on `orm`. */
export async function runSql(orm: Orm, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await orm.em.getConnection().execute(statement, [], 'run');
}

/**
 * Every association of every user by natural keys: for each query of `associations` (rows of `email` and
 * `value`), the sorted values per user email. Keys are never compared, so it reads both schemas.
 */
export async function associationsByEmail(
  orm: Orm,
  associations: Readonly<Record<string, string>>,
): Promise<Record<string, Record<string, string[]>>> {
  const byEmail: Record<string, Record<string, string[]>> = {};
  for (const [name, query] of Object.entries(associations)) {
    for (const row of await rows<{ email: string; value: string }>(orm, query)) {
      const user = byEmail[row.email] ?? {};
      byEmail[row.email] = user;
      user[name] = [...(user[name] ?? []), row.value];
    }
  }
  for (const user of Object.values(byEmail)) for (const values of Object.values(user)) values.sort();
  return byEmail;
}

export interface ConstraintRow {
  table: string;
  name: string;
  definition: string;
  /** Types of the constrained columns, in order. */
  types: string;
  deferrable: boolean;
  deferred: boolean;
}

/** Every constraint and index of the public schema, with its name, definition and column types. */
export async function constraintsAndIndexes(orm: Orm): Promise<{
  constraints: ConstraintRow[];
  indexes: { name: string; definition: string }[];
}> {
  const constraints = await rows<ConstraintRow>(
    orm,
    `SELECT k.conrelid::regclass::text AS table, k.conname AS name, pg_get_constraintdef(k.oid) AS definition,
            (SELECT string_agg(format_type(a.atttypid, a.atttypmod), ', ' ORDER BY u.ord)
               FROM unnest(k.conkey) WITH ORDINALITY u(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum) AS types,
            k.condeferrable AS deferrable, k.condeferred AS deferred
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
      WHERE c.relnamespace = 'public'::regnamespace ORDER BY 1, 2`,
  );
  const indexes = await rows<{ name: string; definition: string }>(
    orm,
    `SELECT indexname AS name, indexdef AS definition FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1`,
  );
  return { constraints, indexes };
}

/** A hash of every row of every table in the public schema, by table. */
export async function tableData(orm: Orm): Promise<Record<string, unknown>> {
  const data: Record<string, unknown> = {};
  for (const { name } of await rows<{ name: string }>(
    orm,
    `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
  )) {
    [data[name]] = await rows(
      orm,
      `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h
         FROM public."${name.replaceAll('"', '""')}" t`,
    );
  }
  return data;
}
