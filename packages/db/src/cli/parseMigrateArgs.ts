import { parseArgs } from 'node:util';
import { isParallelWorkerCount } from '../cutover/runCutover.js';

export interface MigrateArgs {
  readonly dryRun: boolean;
  readonly json: boolean;
  readonly dropLegacyMap: boolean;
  readonly to?: string;
  readonly lockTimeoutMs?: number;
  readonly parallelWorkers?: number;
  /** Run on embedded PostgreSQL: `memory://` or a folder. */
  readonly pglite?: string;
  /** A JSON file with the cutover configuration (`usersTable`, `createdColumn`, `preset`, `references`, `deleteRows`). */
  readonly config?: string;
  readonly usersTable?: string;
  readonly createdColumn?: string;
  readonly preset?: string;
  readonly help: boolean;
}

/** Thrown for command-line mistakes; the CLI prints it with the usage and exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const MIGRATE_USAGE = `usage: migrate [--dry-run] [--to <migration>] [--json] [--drop-legacy-map]
               [--users-table <[schema.]table>] [--created-column <column>] [--preset django]
               [--config <file.json>] [--lock-timeout <ms>] [--parallel-workers <n>]
               [--pglite <memory://|folder>]

Applies pending migrations to DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
  --dry-run           preflight and plan only, with a lock-time estimate; changes nothing
  --to <migration>    stop after this migration (full name or e.g. legacy_schema, uuidv6_cutover)
  --json              print the report as JSON on stdout (progress stays on stderr)
  --drop-legacy-map   also apply the opt-in migration that drops legacy_user_ids
  --users-table <t>   the table whose integer key becomes a UUIDv6 (default users)
  --created-column <c>
                      its column of when each user joined, which the UUIDv6 encodes (default date_joined)
  --preset django     Django's conventions: AUTH_USER_MODEL's table, the admin log, django_session
  --config <file>     JSON: the settings above plus "references" (columns without a foreign key) and
                      "deleteRows"; flags override the file (see packages/db/README.md)
  --lock-timeout <ms> how long the cutover waits for each table lock (default 5000)
  --parallel-workers <n>
                      parallel workers per scan and index build of the cutover (default: the
                      server's settings)
  --pglite <dbName>   use embedded PostgreSQL instead of DATABASE_URL`;

/** Parses the `migrate` command line. */
export function parseMigrateArgs(argv: readonly string[]): MigrateArgs {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  let lockTimeoutMs: number | undefined;
  if (values['lock-timeout'] !== undefined) {
    lockTimeoutMs = Number(values['lock-timeout']);
    if (!Number.isInteger(lockTimeoutMs) || lockTimeoutMs < 1) {
      throw new UsageError(`--lock-timeout must be a positive integer (ms), got "${values['lock-timeout']}"`);
    }
  }
  const parallelWorkers =
    values['parallel-workers'] === undefined ? undefined : Number(values['parallel-workers']);
  if (
    parallelWorkers !== undefined &&
    (values['parallel-workers']?.trim() === '' || !isParallelWorkerCount(parallelWorkers))
  ) {
    throw new UsageError(
      `--parallel-workers must be an integer from 0 to 1024, got "${values['parallel-workers']}"`,
    );
  }
  if (values.to !== undefined && values.to.trim() === '') throw new UsageError('--to needs a migration name');
  return {
    dryRun: values['dry-run'] ?? false,
    json: values.json ?? false,
    dropLegacyMap: values['drop-legacy-map'] ?? false,
    help: values.help ?? false,
    ...(values.to === undefined ? {} : { to: values.to }),
    ...(lockTimeoutMs === undefined ? {} : { lockTimeoutMs }),
    ...(parallelWorkers === undefined ? {} : { parallelWorkers }),
    ...(values.pglite === undefined ? {} : { pglite: values.pglite }),
    ...(values.config === undefined ? {} : { config: values.config }),
    ...(values['users-table'] === undefined ? {} : { usersTable: values['users-table'] }),
    ...(values['created-column'] === undefined ? {} : { createdColumn: values['created-column'] }),
    ...(values.preset === undefined ? {} : { preset: values.preset }),
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    // pnpm forwards a literal `--` when arguments follow `pnpm <script> --`.
    args: argv.filter((arg) => arg !== '--'),
    strict: true,
    allowPositionals: false,
    options: {
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      'drop-legacy-map': { type: 'boolean' },
      to: { type: 'string' },
      'lock-timeout': { type: 'string' },
      'parallel-workers': { type: 'string' },
      pglite: { type: 'string' },
      config: { type: 'string' },
      'users-table': { type: 'string' },
      'created-column': { type: 'string' },
      preset: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
