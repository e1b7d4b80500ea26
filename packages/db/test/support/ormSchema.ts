import { readFile } from 'node:fs/promises';
import { expect } from 'vitest';
import {
  type MigrationRunReport,
  type Orm,
  type RunMigrationsOptions,
  runMigrations,
} from '../../src/index.js';
import { createTestDatabase, type TestDatabase } from '../../src/testing/index.js';
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

/** An ORM-made fixture cut over, with what `readState` read before the dry run, after it, and after the cutover. */
export interface FixtureCutover<State> {
  readonly db: TestDatabase;
  readonly legacy: State;
  readonly dryRun: MigrationRunReport;
  readonly afterDryRun: State;
  readonly migrated: State;
}

/**
 * Loads `schema` (a `pg_dump` an ORM made) into a database of its own, seeds it with `seed(db)`, then runs the
 * dry run and the cutover with `cutover`, reading the state before, between and after. The caller drops `db`;
 * if this throws, the database is dropped here.
 */
export async function cutOverFixture<State>(options: {
  schema: URL;
  seed: (db: TestDatabase) => readonly string[];
  cutover: NonNullable<RunMigrationsOptions['cutover']>;
  readState: (url: string) => Promise<State>;
}): Promise<FixtureCutover<State>> {
  const db = await createTestDatabase({ state: 'empty' });
  try {
    await loadSchemaFile(db.url, options.schema);
    await withOrm(db.url, (orm) => runSql(orm, options.seed(db)));
    const legacy = await options.readState(db.url);
    const dryRun = await withOrm(db.url, (orm) =>
      runMigrations(orm, { dryRun: true, cutover: options.cutover }),
    );
    const afterDryRun = await options.readState(db.url);
    await withOrm(db.url, (orm) => runMigrations(orm, { cutover: options.cutover }));
    return { db, legacy, dryRun, afterDryRun, migrated: await options.readState(db.url) };
  } catch (error) {
    await db.drop();
    throw error;
  }
}

/** Every association the fixture's queries name is held by some user, and there are `users` users. */
export function expectEveryAssociationSeeded(
  associations: Record<string, Record<string, string[]>>,
  names: readonly string[],
  users: number,
): void {
  const byUser = Object.values(associations);
  expect(byUser).toHaveLength(users);
  for (const name of names) {
    expect(
      byUser.some((u) => (u[name]?.length ?? 0) > 0),
      name,
    ).toBe(true);
  }
}
