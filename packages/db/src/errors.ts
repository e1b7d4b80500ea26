/** A preflight finding: what is wrong, how many rows, and a few examples. */
export interface PreflightProblem {
  readonly code:
    | 'null_value'
    | 'orphaned_row'
    | 'duplicate_email'
    | 'timestamp_out_of_range'
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
    super('db_unreachable', `cannot reach PostgreSQL at ${target}: ${describeCause(cause)}`, { cause });
  }
}

/** The server rejected the credentials, the role or the database name. */
export class DatabaseAuthError extends DbError {
  constructor(target: string, cause: unknown) {
    super('db_auth', `PostgreSQL at ${target} rejected the connection: ${describeCause(cause)}`, { cause });
  }
}

/** The database is neither the legacy schema nor the migrated one; `differences` says how. */
export class SchemaMismatchError extends DbError {
  readonly differences: readonly string[];
  constructor(differences: readonly string[]) {
    super(
      'schema_mismatch',
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
      'preflight_failed',
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
      'lock_timeout',
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
      'verification_failed',
      `verification failed, the cutover was rolled back:\n  - ${failures.join('\n  - ')}`,
    );
    this.failures = failures;
  }
}

/** `--to` named a migration that does not exist. */
export class UnknownMigrationError extends DbError {
  constructor(name: string, known: readonly string[]) {
    super('unknown_migration', `unknown migration "${name}"; known: ${known.join(', ')}`);
  }
}

/** `legacy_user_ids` is gone (the drop-legacy-map migration ran), so old ids can no longer be translated. */
export class LegacyMapMissingError extends DbError {
  constructor() {
    super(
      'legacy_map_missing',
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
