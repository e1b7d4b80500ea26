import { readFile } from 'node:fs/promises';
import { type CommandValues, UsageError } from '@org/cli';
import {
  CutoverConfigError,
  type CutoverConfigInput,
  parseCutoverConfig,
  type RunMigrationsOptions,
} from '@org/db';

/** What the database step passes on to `runMigrations`, besides what the task decides itself. */
export type DatabaseStepOptions = Omit<RunMigrationsOptions, 'dryRun' | 'onProgress' | 'onLocked' | 'target'>;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Draft = Mutable<DatabaseStepOptions> & { cutover?: Mutable<CutoverConfigInput> };

interface DatabaseFlag {
  readonly value: string;
  readonly help: string;
  /** Writes the flag's value into the options for `runMigrations`; throws `UsageError` for a bad one. */
  readonly apply: (options: Draft, raw: string, flag: string) => void | Promise<void>;
}

const integerFrom =
  (minimum: number, key: 'lockTimeoutMs' | 'parallelWorkers') =>
  (options: Draft, raw: string, flag: string) => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(value) || value < minimum) {
      throw new UsageError(`${flag} must be an integer >= ${minimum}, got "${raw}"`);
    }
    options[key] = value;
  };

const cutoverKey = (key: 'usersTable' | 'createdColumn' | 'preset') => (options: Draft, raw: string) => {
  options.cutover = { ...options.cutover, [key]: raw } as Mutable<CutoverConfigInput>;
};

/**
 * The flags that reach the database step, one entry each, in the order they apply (`--config` first, so that
 * flags override the file): a new option of `runMigrations` becomes a flag of `pnpm migrate` by adding its
 * line here; parsing, the usage text and the pass-through follow from it.
 */
const DATABASE_FLAGS = {
  config: {
    value: '<file.json>',
    help: 'the cutover configuration as JSON (see packages/db/README.md); the flags below override it',
    apply: async (options, raw, flag) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(await readFile(raw, 'utf8'));
      } catch (error) {
        throw new UsageError(`${flag}: cannot read ${raw} as JSON (${(error as Error).message})`);
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new UsageError(`${flag}: ${raw} must hold a JSON object`);
      }
      options.cutover = { ...(parsed as Mutable<CutoverConfigInput>), ...options.cutover };
    },
  },
  'users-table': {
    value: '<[schema.]table>',
    help: 'the table whose integer key becomes a UUIDv6 (default users)',
    apply: cutoverKey('usersTable'),
  },
  'created-column': {
    value: '<column>',
    help: 'its column of when each user joined, which the UUIDv6 encodes (default date_joined)',
    apply: cutoverKey('createdColumn'),
  },
  preset: {
    value: '<name>',
    help: "a known convention: django (Django's tables)",
    apply: cutoverKey('preset'),
  },
  'lock-timeout': {
    value: '<ms>',
    help: 'how long the cutover waits for each table lock (default 5000)',
    apply: integerFrom(1, 'lockTimeoutMs'),
  },
  'parallel-workers': {
    value: '<n>',
    help: "parallel workers per scan and index build of the cutover (default: the server's settings)",
    apply: integerFrom(0, 'parallelWorkers'),
  },
} as const satisfies Record<string, DatabaseFlag>;

type DatabaseFlagName = keyof typeof DATABASE_FLAGS;

const databaseFlagOptions = Object.fromEntries(
  Object.keys(DATABASE_FLAGS).map((flag) => [flag, { type: 'string' }]),
) as Record<DatabaseFlagName, { type: 'string' }>;

export const MIGRATE_COMMAND = {
  name: 'pnpm migrate',
  usage: `usage: pnpm migrate [--dry-run] [--json] [database options]

The whole cutover, in one process, in this order:
  1. database     the schema cutover to UUIDv6 keys, in one transaction (@org/db)
  2. sessions     removes the legacy Redis sessions and token sets (@org/sessions)
  3. queued-jobs  translates queued legacy jobs; unmappable ones go to the failed set (@org/jobs)
A failed step stops the run; run it again once fixed: finished steps are no-ops.

  --dry-run   every step's checks and plan (with the database lock-time estimate); writes nothing anywhere
  --json      print the summary as JSON on stdout (progress and step reports go to stderr)

database options (passed to the database step):
${Object.entries(DATABASE_FLAGS)
  .map(([flag, { value, help }]) => `  --${flag} ${value}\n      ${help}`)
  .join('\n')}

Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), REDIS_URL (default
redis://127.0.0.1:6379), REDIS_CLUSTER_NODES (host:port,... of a Redis Cluster; default unset: REDIS_URL),
LEGACY_KEY_PREFIX (default empty), QUEUE_PREFIX (default bull, {bull} on a cluster).
Exit code: 0 complete (dry run: every check passed), 1 a step failed or refused, 2 usage or environment.`,
  options: {
    'dry-run': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    ...databaseFlagOptions,
  },
} as const;

export interface MigrateOptions {
  readonly dryRun: boolean;
  readonly json: boolean;
  /** Passed to `runMigrations` as one object. */
  readonly database: DatabaseStepOptions;
}

/**
 * The task's options from its parsed flags. Throws `UsageError` for a bad value, including a cutover
 * configuration that `@org/db` would refuse (so that it exits 2 before anything runs).
 */
export async function migrateOptionsFrom(
  values: CommandValues<typeof MIGRATE_COMMAND.options>,
): Promise<MigrateOptions> {
  const database: Draft = {};
  for (const [flag, spec] of Object.entries(DATABASE_FLAGS) as [DatabaseFlagName, DatabaseFlag][]) {
    const raw = values[flag];
    if (raw !== undefined) await spec.apply(database, raw, `--${flag}`);
  }
  if (database.cutover !== undefined) {
    try {
      parseCutoverConfig(database.cutover);
    } catch (error) {
      if (error instanceof CutoverConfigError) throw new UsageError(error.message);
      throw error;
    }
  }
  return { dryRun: values['dry-run'], json: values.json, database };
}
