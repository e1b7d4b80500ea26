import type { Configuration, Transaction } from '@mikro-orm/core';
import type { AnyOrm } from './AnyOrm.js';
import { classifyConnectionError } from './classifyConnectionError.js';
import { type CutoverConfigInput, parseCutoverConfig } from './cutover/CutoverConfig.js';
import type { CutoverProgress, CutoverReport } from './cutover/CutoverReport.js';
import { type CutoverPlan, describeCutoverPlan } from './cutover/describeCutoverPlan.js';
import { preflight } from './cutover/preflight.js';
import { ensureLegacyMapKeys, isParallelWorkerCount, runCutover } from './cutover/runCutover.js';
import { readGraphState, readUserGraph } from './cutover/userGraph.js';
import type { PreflightProblem } from './errors.js';
import { UnknownMigrationError } from './errors.js';
import {
  CUTOVER_MIGRATION,
  DROP_LEGACY_MAP_MIGRATION,
  LEGACY_SCHEMA_MIGRATION,
  MIGRATION_NAMES,
} from './migrations/migrationsList.js';
import { sqlExecutorFor } from './sqlExecutorFor.js';

export interface RunMigrationsOptions {
  /** Stop after this migration: its full name or the part after the timestamp, e.g. `legacy_schema`. */
  readonly to?: string;
  /** Plan and preflight only; nothing is changed, anywhere (not even the migrations table). */
  readonly dryRun?: boolean;
  /** Where the user graph starts and how to treat columns without foreign keys (validated). */
  readonly cutover?: CutoverConfigInput;
  /** Lock timeout of the cutover, per table; 5000 ms by default. */
  readonly lockTimeoutMs?: number;
  /** Parallel workers per scan and index build of the cutover; the server's settings by default. */
  readonly parallelWorkers?: number;
  /** Progress of the cutover's steps (the CLI prints them on stderr). */
  readonly onProgress?: (event: CutoverProgress) => void;
  /** Called once the cutover holds all its locks, with the tables locked. */
  readonly onLocked?: (tables: readonly string[]) => void;
  /** Used in connection errors instead of the ORM's URL. */
  readonly target?: string;
}

/** What `runMigrations` found and did; serialisable as JSON. */
export interface MigrationRunReport {
  readonly dryRun: boolean;
  /** The user table before the run: none in an empty database, integer keys, or uuid keys. */
  readonly initialState: 'empty' | 'legacy' | 'migrated';
  /** A legacy (or migrated) database without MikroORM history whose schema checked out and was adopted. */
  readonly adopted: readonly string[];
  /** Applied in this run (dry run: would be applied). */
  readonly applied: readonly string[];
  readonly alreadyApplied: readonly string[];
  readonly cutover?: CutoverReport;
  /** Dry run only: the user graph, what converts, what is kept, what is refused, the lock estimate. */
  readonly plan?: CutoverPlan;
  /** Dry run only: the preflight of the data the cutover would migrate. */
  readonly preflight?: {
    readonly rowCounts: Readonly<Record<string, number>>;
    readonly problems: readonly PreflightProblem[];
  };
  /** Dry run only: a rough estimate of how long the cutover would hold its locks, from the row counts. */
  readonly estimatedLockMs?: number;
  readonly totalMs: number;
}

/**
 * Applies pending migrations in one transaction: the legacy schema (on an empty database), then the UUIDv6
 * cutover of the user graph, then (only when the ORM was created with `dropLegacyMap`) the drop of
 * `legacy_user_ids`. A legacy database that MikroORM never managed is recognised by its user table and
 * adopted; running it again is a no-op. Never creates a database. Throws `DatabaseUnreachableError`,
 * `DatabaseMissingError`, `DatabaseAuthError`, `CutoverConfigError`, `UsersTableNotFoundError`,
 * `CutoverRefusedError`, `PreflightError`, `LockTimeoutError`, `ConversionError`, `VerificationError` or
 * `UnknownMigrationError`.
 *
 * @example
 * const orm = await initOrm({ clientUrl: process.env.DATABASE_URL! });
 * const report = await runMigrations(orm, { cutover: { preset: 'django' } });
 * console.log(formatMigrationRunReport(report));
 */
export async function runMigrations(
  orm: AnyOrm,
  options: RunMigrationsOptions = {},
): Promise<MigrationRunReport> {
  const started = performance.now();
  const config = orm.config as unknown as Configuration;
  const cutoverConfig = parseCutoverConfig(options.cutover);
  if (options.parallelWorkers !== undefined && !isParallelWorkerCount(options.parallelWorkers)) {
    throw new RangeError(`parallelWorkers must be an integer from 0 to 1024, got ${options.parallelWorkers}`);
  }
  const target = options.target ?? String(config.get('clientUrl') ?? config.get('dbName'));
  const sql = sqlExecutorFor(orm);
  try {
    await sql.query('SELECT 1');
  } catch (error) {
    throw classifyConnectionError(error, target) ?? error;
  }

  const listed = (config.get('migrations').migrationsList ?? []).map((m) => m.name);
  const to = options.to === undefined ? undefined : resolveMigrationName(options.to, listed);
  const executed = await readHistory(orm);
  // Once the history records the cutover, the user table is what it named: later runs (a deploy's plain
  // `migrate`) need not be told again which table that was.
  const state = executed.includes(CUTOVER_MIGRATION)
    ? ({ state: 'migrated' } as const)
    : await readGraphState(sql, cutoverConfig);

  const adopted = adoptable(executed, state);
  const done = new Set([...executed, ...adopted]);
  const upTo = to === undefined ? listed.length : listed.indexOf(to) + 1;
  const pending = listed.slice(0, upTo).filter((name) => !done.has(name));
  const alreadyApplied = listed.filter((name) => done.has(name));
  const base = { initialState: state.state, adopted, alreadyApplied };

  if (options.dryRun) {
    let dry: Pick<MigrationRunReport, 'plan' | 'preflight' | 'estimatedLockMs'> = {};
    if (pending.includes(CUTOVER_MIGRATION) && state.state === 'legacy') {
      // A read-only transaction: the dry run only reads, and nothing could be written by mistake.
      dry = await orm.em.getConnection().transactional(async (trx) => {
        const inTrx = sqlExecutorFor(orm, trx);
        await inTrx.run('SET TRANSACTION READ ONLY');
        const read = await readUserGraph(inTrx, cutoverConfig);
        if (read.state !== 'legacy') return {};
        const checked = read.graph.refusals.length === 0 ? await preflight(inTrx, read.graph) : undefined;
        const plan = await describeCutoverPlan(inTrx, read.graph, checked);
        return {
          plan,
          ...(checked
            ? {
                preflight: {
                  rowCounts: Object.fromEntries(plan.tables.map((t) => [t.table, t.rows])),
                  problems: checked.problems,
                },
              }
            : {}),
          estimatedLockMs: plan.estimatedLockMs,
        };
      });
    }
    return { dryRun: true, ...base, applied: pending, ...dry, totalMs: performance.now() - started };
  }

  if (pending.length === 0 && adopted.length === 0) {
    if (state.state === 'migrated') await ensureLegacyMapKeys(sql);
    return { dryRun: false, ...base, applied: [], totalMs: performance.now() - started };
  }

  let lockedAt: number | undefined;
  let cutover: CutoverReport | undefined;
  const migrator = orm.migrator;
  // Outside the transaction: the migrator's first call creates its table on a pooled connection, which
  // would wait forever for the one the transaction holds when the pool has a single connection.
  await migrator.getPending();
  const embedded = orm.em.getPlatform().constructor.name.toLowerCase().includes('pglite');
  const applied = await orm.em.getConnection().transactional(async (trx: Transaction) => {
    const inTrx = sqlExecutorFor(orm, trx);
    if (adopted.length > 0) await recordApplied(inTrx, adopted);
    for (const name of pending) {
      if (name !== CUTOVER_MIGRATION) {
        await migrator.up({ transaction: trx, migrations: [name] });
        continue;
      }
      cutover = await runCutover(inTrx, {
        config: cutoverConfig,
        embedded,
        ...(options.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: options.lockTimeoutMs }),
        ...(options.parallelWorkers === undefined ? {} : { parallelWorkers: options.parallelWorkers }),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        onLocked: (tables) => {
          lockedAt = performance.now();
          options.onLocked?.(tables);
        },
      });
      await recordApplied(inTrx, [name]);
    }
    return pending;
  });
  const committed = performance.now();
  if (cutover) await ensureLegacyMapKeys(sql);
  const report = cutover as CutoverReport | undefined;
  return {
    dryRun: false,
    ...base,
    applied,
    ...(report
      ? { cutover: lockedAt === undefined ? report : { ...report, lockHeldMs: committed - lockedAt } }
      : {}),
    totalMs: committed - started,
  };
}

/** Accepts a full migration name or its suffix after the timestamp. */
export function resolveMigrationName(name: string, listed: readonly string[]): string {
  const all = [...new Set([...listed, ...MIGRATION_NAMES])];
  const match = all.find((m) => m === name || m.replace(/^Migration\d{14}_/, '') === name);
  if (!match) throw new UnknownMigrationError(name, all);
  if (!listed.includes(match)) {
    throw new UnknownMigrationError(
      `${name} (${match === DROP_LEGACY_MAP_MIGRATION ? 'the drop of legacy_user_ids is opt-in: pass --drop-legacy-map / dropLegacyMap' : 'not listed'})`,
      listed,
    );
  }
  return match;
}

async function readHistory(orm: AnyOrm): Promise<string[]> {
  const sql = sqlExecutorFor(orm);
  const [exists] = await sql.query<{ present: boolean }>(
    `SELECT to_regclass('mikro_orm_migrations') IS NOT NULL AS present`,
  );
  if (!exists?.present) return [];
  const rows = await sql.query<{ name: string }>('SELECT name FROM mikro_orm_migrations ORDER BY id');
  return rows.map((r) => r.name);
}

/**
 * Migrations to record as applied without running them: with no history at all, a database whose user table
 * has integer keys has had migration 1 (its schema is the legacy one, whoever made it); one whose user table
 * has uuid keys has had 1 and 2.
 */
function adoptable(executed: readonly string[], state: { readonly state: string }): string[] {
  if (executed.length > 0) return [];
  if (state.state === 'legacy') return [LEGACY_SCHEMA_MIGRATION];
  if (state.state === 'migrated') return [LEGACY_SCHEMA_MIGRATION, CUTOVER_MIGRATION];
  return [];
}

async function recordApplied(
  sql: ReturnType<typeof sqlExecutorFor>,
  names: readonly string[],
): Promise<void> {
  for (const name of names) await sql.run('INSERT INTO mikro_orm_migrations (name) VALUES (?)', [name]);
}
