import type { Configuration, Transaction } from '@mikro-orm/core';
import type { AnyOrm } from './AnyOrm.js';
import { classifyConnectionError } from './classifyConnectionError.js';
import type { CutoverProgress, CutoverReport } from './cutover/CutoverReport.js';
import { cutoverContext } from './cutover/cutoverContext.js';
import { detectSchemaState, type SchemaState } from './cutover/detectSchemaState.js';
import { estimateLockTime } from './cutover/estimateLockTime.js';
import { preflight } from './cutover/preflight.js';
import type { PreflightProblem } from './errors.js';
import { SchemaMismatchError, UnknownMigrationError } from './errors.js';
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
  /** Preflight and plan only; the database is not changed (not even the migrations table). */
  readonly dryRun?: boolean;
  /** Lock timeout of the cutover, per table; 5000 ms by default. */
  readonly lockTimeoutMs?: number;
  /** Parallel workers per copy of the cutover; the server's `max_parallel_workers_per_gather` by default. */
  readonly parallelWorkers?: number;
  /** Progress of the cutover's steps (the CLI prints them on stderr). */
  readonly onProgress?: (event: CutoverProgress) => void;
  /** Called once the cutover holds all its locks. */
  readonly onLocked?: () => void;
  /** Used in connection errors instead of the ORM's URL. */
  readonly target?: string;
}

/** What `runMigrations` found and did; serialisable as JSON. */
export interface MigrationRunReport {
  readonly dryRun: boolean;
  /** The four tables before the run. */
  readonly initialState: 'empty' | 'legacy' | 'migrated';
  /** A legacy (or migrated) database without MikroORM history whose schema checked out and was adopted. */
  readonly adopted: readonly string[];
  /** Applied in this run (dry run: would be applied). */
  readonly applied: readonly string[];
  readonly alreadyApplied: readonly string[];
  readonly cutover?: CutoverReport;
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
 * Applies pending migrations in one transaction (MikroORM's `allOrNothing`): the legacy schema, then the
 * UUIDv6 cutover, then (only when the ORM was created with `dropLegacyMap`) the drop of `legacy_user_ids`.
 * A legacy database that MikroORM never managed is recognised by its schema and adopted; running it again
 * is a no-op. Throws `DatabaseUnreachableError`, `DatabaseAuthError`, `SchemaMismatchError`,
 * `PreflightError`, `LockTimeoutError`, `VerificationError` or `UnknownMigrationError`.
 *
 * @example
 * const orm = await initOrm({ clientUrl: process.env.DATABASE_URL! });
 * const report = await runMigrations(orm, { onProgress: (e) => console.error(e.step, e.phase) });
 * console.log(formatMigrationRunReport(report));
 */
export async function runMigrations(
  orm: AnyOrm,
  options: RunMigrationsOptions = {},
): Promise<MigrationRunReport> {
  const started = performance.now();
  const config = orm.config as unknown as Configuration;
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
  const state = await detectSchemaState(sql);
  if (state.state === 'mismatch') throw new SchemaMismatchError(state.differences);

  const adopted = adoptable(executed, state);
  const done = new Set([...executed, ...adopted]);
  const upTo = to === undefined ? listed.length : listed.indexOf(to) + 1;
  const pending = listed.slice(0, upTo).filter((name) => !done.has(name));
  const alreadyApplied = listed.filter((name) => done.has(name));
  const base = { initialState: state.state, adopted, alreadyApplied };

  if (options.dryRun) {
    let dry: Pick<MigrationRunReport, 'preflight' | 'estimatedLockMs'> = {};
    if (pending.includes(CUTOVER_MIGRATION) && state.state === 'legacy') {
      // A read-only transaction: the preflight only reads, and nothing could be written by mistake.
      dry = await orm.em.getConnection().transactional(async (trx) => {
        const inTrx = sqlExecutorFor(orm, trx);
        await inTrx.run('SET TRANSACTION READ ONLY');
        const result = await preflight(inTrx);
        return { preflight: result, estimatedLockMs: estimateLockTime(result.rowCounts) };
      });
    }
    return { dryRun: true, ...base, applied: pending, ...dry, totalMs: performance.now() - started };
  }

  if (pending.length === 0 && adopted.length === 0) {
    return { dryRun: false, ...base, applied: [], totalMs: performance.now() - started };
  }

  let lockedAt: number | undefined;
  const context = {
    options: {
      ...(options.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: options.lockTimeoutMs }),
      ...(options.parallelWorkers === undefined ? {} : { parallelWorkers: options.parallelWorkers }),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      onLocked: () => {
        lockedAt = performance.now();
        options.onLocked?.();
      },
    },
  } as { options: object; report?: CutoverReport };
  const migrator = orm.migrator;
  // Outside the transaction: the migrator's first call creates its table on a pooled connection, which
  // would wait forever for the one the transaction holds when the pool has a single connection.
  await migrator.getPending();
  const applied = await cutoverContext.run(context, () =>
    orm.em.getConnection().transactional(async (trx: Transaction) => {
      if (adopted.length > 0) await recordAdopted(orm, trx, adopted);
      const ran = await migrator.up({ transaction: trx, ...(to === undefined ? {} : { to }) });
      return ran.map((m) => m.name);
    }),
  );
  const committed = performance.now();
  const cutover =
    context.report && lockedAt !== undefined
      ? { ...context.report, lockHeldMs: committed - lockedAt }
      : context.report;
  return {
    dryRun: false,
    ...base,
    applied,
    ...(cutover ? { cutover } : {}),
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
 * Migrations to record as applied without running them: with no history at all, a database whose four
 * tables already have the legacy schema has had migration 1; one with the migrated schema has had 1 and 2.
 */
function adoptable(executed: readonly string[], state: SchemaState): string[] {
  if (executed.length > 0) return [];
  if (state.state === 'legacy') return [LEGACY_SCHEMA_MIGRATION];
  if (state.state === 'migrated') return [LEGACY_SCHEMA_MIGRATION, CUTOVER_MIGRATION];
  return [];
}

async function recordAdopted(orm: AnyOrm, trx: Transaction, names: readonly string[]): Promise<void> {
  const storage = (
    orm.migrator as unknown as { getStorage(): { ensureTable(): Promise<void> } }
  ).getStorage();
  await storage.ensureTable();
  const sql = sqlExecutorFor(orm, trx);
  for (const name of names) await sql.run('INSERT INTO mikro_orm_migrations (name) VALUES (?)', [name]);
}
