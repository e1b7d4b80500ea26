/** A preflight finding: what is wrong, how many rows, and a few examples. */
export interface PreflightProblem {
  readonly code:
    | 'null_value'
    | 'orphaned_row'
    | 'duplicate_email'
    | 'timestamp_out_of_range'
    | 'key_out_of_range'
    | 'invalid_purpose';
  readonly table: string;
  readonly column: string;
  readonly count: number;
  readonly examples: readonly string[];
  readonly message: string;
}

/** Base class of every error `@org/db` throws on purpose; `code` is stable. */
export class DbError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The PostgreSQL server could not be reached (refused, DNS, timeout). */
export class DatabaseUnreachableError extends DbError {
  constructor(target: string, cause: unknown) {
    super('DB_UNREACHABLE', `cannot reach PostgreSQL at ${target}: ${describeCause(cause)}`, { cause });
  }
}

/** The database named in the URL does not exist (it is never created implicitly). */
export class DatabaseMissingError extends DbError {
  readonly database: string;
  constructor(target: string, database: string, cause: unknown) {
    super(
      'DB_MISSING',
      `database "${database}" does not exist on ${target} (check DATABASE_URL for a typo; nothing is created implicitly)`,
      { cause },
    );
    this.database = database;
  }
}

/** The server rejected the credentials or the role. */
export class DatabaseAuthError extends DbError {
  constructor(target: string, cause: unknown) {
    super('DB_AUTH', `PostgreSQL at ${target} rejected the connection: ${describeCause(cause)}`, { cause });
  }
}

/** The database is neither the legacy schema nor the migrated one; `differences` says how. */
export class SchemaMismatchError extends DbError {
  readonly differences: readonly string[];
  constructor(differences: readonly string[]) {
    super(
      'SCHEMA_MISMATCH',
      `the database schema is neither the legacy schema nor the migrated one:\n  - ${differences.join('\n  - ')}`,
    );
    this.differences = differences;
  }
}

/** The data cannot be migrated as it is; every problem found is listed. Nothing was changed. */
export class PreflightError extends DbError {
  readonly problems: readonly PreflightProblem[];
  constructor(problems: readonly PreflightProblem[]) {
    super(
      'PREFLIGHT_FAILED',
      `preflight found ${problems.length} problem(s); nothing was changed:\n${problems
        .map((p) => `  - ${p.message} (${p.count} row(s); e.g. ${p.examples.join(', ')})`)
        .join('\n')}`,
    );
    this.problems = problems;
  }
}

/** A table lock could not be taken within `lock_timeout`: another session is using the table. */
export class LockTimeoutError extends DbError {
  readonly table: string;
  constructor(table: string, timeoutMs: number, cause: unknown) {
    super(
      'LOCK_TIMEOUT',
      `could not lock "${table}" within ${timeoutMs} ms because another session holds a lock on it; nothing was changed (retry when it is idle)`,
      { cause },
    );
    this.table = table;
  }
}

/** The rewritten tables failed a check before commit; the transaction was rolled back. */
export class VerificationError extends DbError {
  readonly failures: readonly string[];
  constructor(failures: readonly string[]) {
    super(
      'VERIFICATION_FAILED',
      `verification failed, the cutover was rolled back:\n  - ${failures.join('\n  - ')}`,
    );
    this.failures = failures;
  }
}

/** `--to` named a migration that does not exist. */
export class UnknownMigrationError extends DbError {
  constructor(name: string, known: readonly string[]) {
    super('UNKNOWN_MIGRATION', `unknown migration "${name}"; known: ${known.join(', ')}`);
  }
}

/** The cutover configuration is invalid; `issues` names each key and what is wrong with it. */
export class CutoverConfigError extends DbError {
  readonly issues: readonly string[];
  constructor(issues: readonly string[]) {
    super('CUTOVER_CONFIG_INVALID', `invalid cutover configuration:\n  - ${issues.join('\n  - ')}`);
    this.issues = issues;
  }
}

/** Something in the database that the cutover will not change on its own, and what to do about it. */
export interface Refusal {
  /** The object, e.g. `view public.active_users` or `column public.audit.actor_id`. */
  readonly object: string;
  readonly reason: string;
  readonly fix: string;
}

/** The user graph holds something the cutover cannot carry over as it is; found before any change. */
export class CutoverRefusedError extends DbError {
  readonly refusals: readonly Refusal[];
  constructor(refusals: readonly Refusal[]) {
    super(
      'CUTOVER_REFUSED',
      `the cutover cannot run on this database as it is; nothing was changed:\n${refusals
        .map((r) => `  - ${r.object}: ${r.reason}\n    fix: ${r.fix}`)
        .join('\n')}`,
    );
    this.refusals = refusals;
  }
}

/** The database holds tables, but not the user table the cutover starts from. */
export class UsersTableNotFoundError extends DbError {
  readonly usersTable: string;
  readonly tablesFound: readonly string[];
  constructor(usersTable: string, tablesFound: readonly string[]) {
    const shown = tablesFound.slice(0, 20);
    super(
      'USERS_TABLE_NOT_FOUND',
      `the database has ${tablesFound.length} table(s) but no user table "${usersTable}"; nothing was changed.\n` +
        `  tables found: ${shown.join(', ')}${tablesFound.length > shown.length ? `, ... (${tablesFound.length - shown.length} more)` : ''}\n` +
        '  name the user table with --users-table <schema.table> (or "usersTable" in --config), or --preset django for a Django database',
    );
    this.usersTable = usersTable;
    this.tablesFound = tablesFound;
  }
}

/** Rewriting a table failed inside the transaction (a definition that does not hold for UUIDs); rolled back. */
export class ConversionError extends DbError {
  readonly object: string;
  constructor(object: string, cause: unknown) {
    super(
      'CONVERSION_FAILED',
      `could not convert ${object}: ${describeCause(cause)}; the cutover was rolled back, nothing was changed`,
      { cause },
    );
    this.object = object;
  }
}

/** `legacy_user_ids` is gone (the drop-legacy-map migration ran), so old ids can no longer be translated. */
export class LegacyMapMissingError extends DbError {
  constructor() {
    super(
      'LEGACY_MAP_MISSING',
      'the legacy_user_ids table does not exist (dropped, or the cutover has not run)',
    );
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' && !cause.message.includes(code)
      ? `${cause.message} (${code})`
      : cause.message;
  }
  return String(cause);
}
