import { TOKEN_PURPOSES } from '../entities/VerificationToken.js';
import type { PreflightProblem } from '../errors.js';
import { LEGACY_TABLES, TABLES, type TableName } from './expectedSchemas.js';
import type { SqlExecutor } from './SqlExecutor.js';
import { GREGORIAN_OFFSET_US, MAX_GREGORIAN_US } from './uuidV6Sql.js';

/** The timestamp each table's ids encode. */
export const CREATED_COLUMN: Readonly<Record<TableName, string>> = {
  users: 'date_joined',
  user_profiles: 'created_at',
  verification_tokens: 'created_at',
  social_accounts: 'date_joined',
};

const EXAMPLES = 5;
const MIN_INSTANT = `timestamptz '1582-10-15 00:00:00+00'`;
const MAX_INSTANT = `(timestamptz 'epoch' + interval '${MAX_GREGORIAN_US - GREGORIAN_OFFSET_US} microseconds')`;

export interface PreflightResult {
  readonly rowCounts: Readonly<Record<TableName, number>>;
  readonly problems: readonly PreflightProblem[];
}

/**
 * Checks that the legacy data can be rewritten: no NULL where the new schema needs a value, no orphaned
 * child rows, no duplicate emails (case-insensitive), every creation time inside the UUIDv6 range, only
 * known token purposes. Constraints the database already enforces (a NOT NULL, a validated foreign key) are
 * trusted instead of re-scanned. Every problem is collected with a count and examples; nothing is changed.
 */
export async function preflight(sql: SqlExecutor): Promise<PreflightResult> {
  const problems: PreflightProblem[] = [];
  const notNull = await enforcedNotNull(sql);
  const validatedForeignKeys = await validatedUserForeignKeys(sql);
  const rowCounts = {} as Record<TableName, number>;

  for (const table of TABLES) {
    const created = CREATED_COLUMN[table];
    const unenforced = Object.entries(LEGACY_TABLES[table]!)
      .filter(([column, shape]) => !shape.nullable && !notNull.has(`${table}.${column}`))
      .map(([column]) => column);
    const aggregates = [
      'count(*)::int8 AS total',
      `count(*) FILTER (WHERE ${created} < ${MIN_INSTANT} OR ${created} > ${MAX_INSTANT})::int8 AS out_of_range`,
      ...unenforced.map((column, i) => `count(*) FILTER (WHERE ${column} IS NULL)::int8 AS null_${i}`),
      ...(table === 'verification_tokens'
        ? [
            `count(*) FILTER (WHERE purpose NOT IN (${TOKEN_PURPOSES.map((p) => `'${p}'`).join(', ')}))::int8 AS bad_purpose`,
          ]
        : []),
    ];
    const [row] = await sql.query<Record<string, string | number>>(
      `SELECT ${aggregates.join(', ')} FROM ${table}`,
    );
    rowCounts[table] = Number(row?.total ?? 0);

    const outOfRange = Number(row?.out_of_range ?? 0);
    if (outOfRange > 0) {
      problems.push({
        code: 'timestamp_out_of_range',
        table,
        column: created,
        count: outOfRange,
        examples: await examples(
          sql,
          `SELECT id || ' (' || ${created} || ')' AS example FROM ${table} WHERE ${created} < ${MIN_INSTANT} OR ${created} > ${MAX_INSTANT} ORDER BY id`,
        ),
        message: `${table}.${created} outside the UUIDv6 range (1582-10-15 .. 5236-03-31)`,
      });
    }
    for (const [i, column] of unenforced.entries()) {
      const count = Number(row?.[`null_${i}`] ?? 0);
      if (count === 0) continue;
      problems.push({
        code: 'null_value',
        table,
        column,
        count,
        examples: await examples(
          sql,
          `SELECT id::text AS example FROM ${table} WHERE ${column} IS NULL ORDER BY id`,
        ),
        message: `${table}.${column} is NULL`,
      });
    }
    const badPurpose = Number(row?.bad_purpose ?? 0);
    if (badPurpose > 0) {
      problems.push({
        code: 'invalid_purpose',
        table,
        column: 'purpose',
        count: badPurpose,
        examples: await examples(
          sql,
          `SELECT id || ' (' || coalesce(purpose, 'NULL') || ')' AS example FROM ${table} WHERE purpose NOT IN (${TOKEN_PURPOSES.map((p) => `'${p}'`).join(', ')}) ORDER BY id`,
        ),
        message: `${table}.purpose is not one of ${TOKEN_PURPOSES.join(', ')}`,
      });
    }

    if (table !== 'users' && !validatedForeignKeys.has(table)) {
      const orphans = `FROM ${table} c WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = c.user_id)`;
      const [orphanRow] = await sql.query<{ n: string }>(`SELECT count(*)::int8 AS n ${orphans}`);
      const count = Number(orphanRow?.n ?? 0);
      if (count > 0) {
        problems.push({
          code: 'orphaned_row',
          table,
          column: 'user_id',
          count,
          examples: await examples(
            sql,
            `SELECT c.id || ' (user_id ' || coalesce(c.user_id::text, 'NULL') || ')' AS example ${orphans} ORDER BY c.id`,
          ),
          message: `${table}.user_id points to no user`,
        });
      }
    }
  }

  // Groups of emails equal after lower(). With a unique index on email, exact duplicates are impossible, so
  // every group holds an address with an upper-case letter: only those rows are folded (plus one index
  // probe each), instead of folding and hashing the whole table.
  const groups = (await hasUniqueEmailIndex(sql))
    ? `SELECT f.email, count(*)::int8 + (EXISTS (SELECT 1 FROM users u WHERE u.email = f.email))::int AS n
         FROM (SELECT lower(email) AS email FROM users WHERE email <> lower(email)) f GROUP BY f.email`
    : 'SELECT lower(email) AS email, count(*)::int8 AS n FROM users GROUP BY lower(email)';
  const duplicates = await sql.query<{ email: string; n: string; groups: string; total: string }>(
    `SELECT email, n, count(*) OVER ()::int8 AS groups, sum(n) OVER ()::int8 AS total
       FROM (${groups}) d WHERE n > 1
      ORDER BY email LIMIT ${EXAMPLES}`,
  );
  if (duplicates.length > 0) {
    problems.push({
      code: 'duplicate_email',
      table: 'users',
      column: 'email',
      count: Number(duplicates[0]!.total),
      examples: duplicates.map((d) => `${d.email} x${d.n}`),
      message: `${duplicates[0]!.groups} email address(es) used by more than one user (compared case-insensitively)`,
    });
  }
  return { rowCounts, problems };
}

async function examples(sql: SqlExecutor, query: string): Promise<string[]> {
  const rows = await sql.query<{ example: string }>(`${query} LIMIT ${EXAMPLES}`);
  return rows.map((r) => String(r.example));
}

async function enforcedNotNull(sql: SqlExecutor): Promise<Set<string>> {
  const rows = await sql.query<{ column: string }>(
    `SELECT c.relname || '.' || a.attname AS column
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relname IN (${TABLES.map((t) => `'${t}'`).join(', ')})
        AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull`,
  );
  return new Set(rows.map((r) => r.column));
}

/** True when a valid unique index covers exactly users(email), as the legacy schema's UNIQUE does. */
async function hasUniqueEmailIndex(sql: SqlExecutor): Promise<boolean> {
  const [row] = await sql.query<{ present: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
        WHERE i.indrelid = 'users'::regclass AND i.indisunique AND i.indisvalid AND i.indnkeyatts = 1
          AND i.indpred IS NULL AND i.indexprs IS NULL AND a.attname = 'email') AS present`,
  );
  return row?.present === true;
}

/** Child tables whose user_id has a validated foreign key to users(id): orphans are impossible there. */
async function validatedUserForeignKeys(sql: SqlExecutor): Promise<Set<string>> {
  const rows = await sql.query<{ table: string }>(
    `SELECT c.conrelid::regclass::text AS table
       FROM pg_constraint c
      WHERE c.contype = 'f' AND c.convalidated AND c.confrelid = 'users'::regclass
        AND c.conrelid::regclass::text IN ('user_profiles', 'verification_tokens', 'social_accounts')
        AND array_length(c.conkey, 1) = 1
        AND (SELECT attname FROM pg_attribute WHERE attrelid = c.conrelid AND attnum = c.conkey[1]) = 'user_id'
        AND (SELECT attname FROM pg_attribute WHERE attrelid = c.confrelid AND attnum = c.confkey[1]) = 'id'`,
  );
  return new Set(rows.map((r) => r.table));
}
