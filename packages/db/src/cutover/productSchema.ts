import { EMAIL_LOWER_UNIQUE_SQL } from '../entities/User.js';
import { qualified, quoteIdent, type Relation } from './catalog.js';
import type { SqlExecutor } from './SqlExecutor.js';
import type { UserGraph } from './userGraph.js';

/**
 * The product's own tables end the cutover as its entities declare them (MikroORM's constraint and index
 * names, so that the next schema diff is empty); what a team added to them stays as it is. These are the
 * differences from the legacy schema besides the keys:
 *
 * - `users`: one email index, `users_email_lower_unique` on `(lower(email) collate "C")` (unique ignoring
 *   case implies unique, so the legacy `UNIQUE (email)` goes, unless a foreign key uses it).
 * - identifiers and digests compare byte by byte (collation "C": `token_hash`, `provider`, `uid`); equality is
 *   the same and their indexes build in half the time.
 * - `social_accounts` is unique on `(uid, provider)`: uids tell rows apart at once.
 * - unique constraints and foreign keys carry MikroORM's names (`_unique`, `_foreign`).
 */
const BYTEWISE: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  verification_tokens: { token_hash: 'varchar(64)' },
  social_accounts: { provider: 'varchar(30)', uid: 'varchar(191)' },
};

/** Constraints the new schema replaces, dropped before the rewrite so that it does not rebuild them. */
export async function productSchemaBefore(sql: SqlExecutor, graph: UserGraph): Promise<string[]> {
  const statements: string[] = [];
  for (const table of productTables(graph)) {
    const superseded =
      table.name === 'users' ? ['email'] : table.name === 'social_accounts' ? ['provider', 'uid'] : undefined;
    if (!superseded) continue;
    for (const c of await uniqueConstraints(sql, table)) {
      if (sameColumns(c.columns, superseded) && !c.referenced) {
        statements.push(`ALTER TABLE ${qualified(table)} DROP CONSTRAINT ${quoteIdent(c.name)}`);
      }
    }
  }
  return statements;
}

/** Column changes that ride along in the rewrite of a product table. */
export function productTypeChanges(graph: UserGraph, relation: Relation): string[] {
  if (!productTables(graph).some((t) => t.oid === relation.oid)) return [];
  return Object.entries(BYTEWISE[relation.name] ?? {}).map(
    ([column, type]) => `ALTER COLUMN ${quoteIdent(column)} TYPE ${type} COLLATE "C"`,
  );
}

/** The new schema's indexes, and MikroORM's names on the constraints and indexes that stayed. */
export async function productSchemaAfter(sql: SqlExecutor, graph: UserGraph): Promise<string[]> {
  const statements: string[] = [];
  for (const table of productTables(graph)) {
    const name = qualified(table);
    const uniques = await uniqueConstraints(sql, table);
    const unique = async (columns: string[]) => {
      const wanted = `${table.name}_${columns.join('_')}_unique`;
      const existing = uniques.find((c) => sameOrder(c.columns, columns));
      if (!existing)
        statements.push(
          `ALTER TABLE ${name} ADD CONSTRAINT ${quoteIdent(wanted)} UNIQUE (${columns.map(quoteIdent).join(', ')})`,
        );
      else if (existing.name !== wanted)
        statements.push(
          `ALTER TABLE ${name} RENAME CONSTRAINT ${quoteIdent(existing.name)} TO ${quoteIdent(wanted)}`,
        );
    };
    const index = async (column: string) => {
      const wanted = `${table.name}_${column}_index`;
      const existing = (await plainIndexes(sql, table)).find((i) => sameOrder(i.columns, [column]));
      if (!existing) statements.push(`CREATE INDEX ${quoteIdent(wanted)} ON ${name} (${quoteIdent(column)})`);
      else if (existing.name !== wanted)
        statements.push(
          `ALTER INDEX ${qualifiedIndex(table, existing.name)} RENAME TO ${quoteIdent(wanted)}`,
        );
    };
    switch (table.name) {
      case 'users':
        if (!(await indexExists(sql, table, 'users_email_lower_unique')))
          statements.push(EMAIL_LOWER_UNIQUE_SQL);
        break;
      case 'user_profiles':
        await unique(['user_id']);
        break;
      case 'verification_tokens':
        await unique(['token_hash']);
        await index('user_id');
        break;
      case 'social_accounts':
        await unique(['uid', 'provider']);
        await index('user_id');
        break;
    }
  }
  return statements;
}

/** The product's tables in this graph: `users` and its children, when the user table is the product's. */
function productTables(graph: UserGraph): Relation[] {
  if (!graph.product) return [];
  return graph.keyTables.map((t) => t.relation);
}

interface UniqueConstraint {
  readonly name: string;
  readonly columns: readonly string[];
  /** A foreign key uses its index. */
  readonly referenced: boolean;
}

async function uniqueConstraints(sql: SqlExecutor, table: Relation): Promise<UniqueConstraint[]> {
  const rows = await sql.query<{ name: string; columns: string[]; referenced: boolean }>(
    `SELECT k.conname AS name,
            ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(attnum, i)
                    JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum ORDER BY u.i)::text[] AS columns,
            EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = k.conindid) AS referenced
       FROM pg_constraint k WHERE k.conrelid = ? AND k.contype = 'u' ORDER BY k.conname`,
    [table.oid],
  );
  return rows;
}

/** Indexes on plain columns that back no constraint. */
async function plainIndexes(
  sql: SqlExecutor,
  table: Relation,
): Promise<{ name: string; columns: string[] }[]> {
  return sql.query<{ name: string; columns: string[] }>(
    `SELECT c.relname AS name,
            ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY u(attnum, n)
                    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = u.attnum ORDER BY u.n)::text[] AS columns
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE i.indrelid = ? AND i.indpred IS NULL AND i.indexprs IS NULL AND NOT i.indisunique
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
      ORDER BY c.relname`,
    [table.oid],
  );
}

async function indexExists(sql: SqlExecutor, table: Relation, name: string): Promise<boolean> {
  const [row] = await sql.query<{ present: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = ? AND c.relname = ?) AS present`,
    [table.oid, name],
  );
  return row?.present === true;
}

function qualifiedIndex(table: Relation, index: string): string {
  return `${quoteIdent(table.schema)}.${quoteIdent(index)}`;
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c) => b.includes(c));
}

function sameOrder(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c, i) => b[i] === c);
}
