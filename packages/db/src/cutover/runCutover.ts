import { randomBytes } from 'node:crypto';
import { LockTimeoutError, PreflightError, SchemaMismatchError } from '../errors.js';
import { UserIds } from '../idKinds.js';
import type { CutoverProgress, CutoverReport, CutoverStep } from './CutoverReport.js';
import { detectSchemaState } from './detectSchemaState.js';
import { TABLES, type TableName } from './expectedSchemas.js';
import { type LegacyIdRange, legacyIdRange, slotsAreDense } from './legacyIdRange.js';
import {
  BYTEWISE_COLUMNS,
  COPIED_COLUMNS,
  FOREIGN_KEYS_SQL,
  finishTableSql,
  NEW_TABLE_SUFFIX,
} from './newTablesSql.js';
import { packedUniqueSlugs } from './packedSlugs.js';
import { CREATED_COLUMN, preflight } from './preflight.js';
import type { SqlExecutor } from './SqlExecutor.js';
import { arrayLookupServes, buildArrayLookup } from './userIdLookup.js';
import { uuidV6Sql } from './uuidV6Sql.js';
import { verifyCutover } from './verifyCutover.js';

export interface CutoverOptions {
  /** How long to wait for each table lock before giving up unchanged; 5000 ms by default. */
  readonly lockTimeoutMs?: number;
  /** Called when a step starts and ends. */
  readonly onProgress?: (event: CutoverProgress) => void;
  /** Called once all locks are held (fault-injection tests and the CLI's progress use it). */
  readonly onLocked?: () => void;
  /** Embedded PostgreSQL (PGlite) lacks some server settings. */
  readonly embedded?: boolean;
  /**
   * `work_mem` / `maintenance_work_mem` for this transaction; '1GB' each by default, so that the hash of
   * legacy_user_ids (about 60 bytes a user) and the index sorts stay in memory. One session, the cutover only.
   */
  readonly workMem?: string;
  readonly maintenanceWorkMem?: string;
  /**
   * Parallel workers per copy (`max_parallel_workers_per_gather` for this transaction); the server's setting
   * by default. One process writes each new table while the workers compute ids and look up user ids, so
   * more workers than the server's cores minus one only take turns on them (on 2 cores: 1).
   */
  readonly parallelWorkers?: number;
}

/**
 * The cutover from integer keys to UUIDv6 keys, inside the caller's transaction: inspect the schema (already
 * migrated: no-op), take every lock up front (users, then its children) with a lock timeout, preflight the
 * data, rewrite the four tables into new ones with set-based SQL, swap them in, rebuild MikroORM's keys,
 * indexes and foreign keys, and verify before returning. Any error leaves the transaction to roll back.
 */
export async function runCutover(sql: SqlExecutor, options: CutoverOptions = {}): Promise<CutoverReport> {
  const workers =
    options.parallelWorkers === undefined ? undefined : parallelWorkers(options.parallelWorkers);
  const started = performance.now();
  const steps: CutoverStep[] = [];
  const step = async <T>(name: string, rows: number | undefined, work: () => Promise<T>): Promise<T> => {
    const counted = rows === undefined ? {} : { rows };
    options.onProgress?.({ step: name, phase: 'start', ...counted });
    const t0 = performance.now();
    const result = await work();
    const ms = performance.now() - t0;
    steps.push({ name, ms, ...counted });
    options.onProgress?.({ step: name, phase: 'end', ms, ...counted });
    return result;
  };

  const initial = await step('inspect schema', undefined, () => detectSchemaState(sql));
  if (initial.state === 'migrated') return noop('already-migrated', steps, started);
  if (initial.state === 'empty')
    throw new SchemaMismatchError([
      'the tables users, user_profiles, verification_tokens and social_accounts are missing',
    ]);
  if (initial.state === 'mismatch') throw new SchemaMismatchError(initial.differences);

  const lockTimeoutMs = options.lockTimeoutMs ?? 5000;
  await sql.run(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(lockTimeoutMs))}`);
  await sql.run(`SET LOCAL work_mem = '${options.workMem ?? '1GB'}'`);
  await sql.run(`SET LOCAL maintenance_work_mem = '${options.maintenanceWorkMem ?? '1GB'}'`);
  if (!options.embedded) {
    // A killed client otherwise leaves its backend running the current statement (and holding the locks)
    // until the statement ends; with this the server notices within a second and rolls back.
    await sql.run(`SET LOCAL client_connection_check_interval = 1000`);
    // Every row passes through Gather, which the planner prices above computing its two ids in a worker; at
    // these costs the copies, checks and verification run in parallel where the server allows workers.
    await sql.run(`SET LOCAL parallel_setup_cost = 0`);
    await sql.run(`SET LOCAL parallel_tuple_cost = 0.001`);
    if (workers !== undefined) await sql.run(`SET LOCAL max_parallel_workers_per_gather = ${workers}`);
  }

  const lockStarted = performance.now();
  await step('lock tables', undefined, async () => {
    for (const table of TABLES) {
      try {
        await sql.run(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
      } catch (error) {
        if (isLockTimeout(error)) throw new LockTimeoutError(table, lockTimeoutMs, error);
        throw error;
      }
    }
  });
  const lockHeldFrom = performance.now();
  const lockWaitMs = lockHeldFrom - lockStarted;
  options.onLocked?.();

  // Locked now, so nobody can change the tables between this check and the rewrite.
  const locked = await detectSchemaState(sql);
  if (locked.state !== 'legacy') {
    throw new SchemaMismatchError(
      locked.state === 'mismatch'
        ? locked.differences
        : [`the schema changed to "${locked.state}" while waiting for the locks`],
    );
  }
  const checked = await step('preflight', undefined, () => preflight(sql));
  if (checked.problems.length > 0) throw new PreflightError(checked.problems);
  const before = checked.rowCounts;
  const columns = (table: TableName, row: string) =>
    COPIED_COLUMNS[table]
      .map((c) => (BYTEWISE_COLUMNS.has(c) ? `${row}.${c} COLLATE "C" AS ${c}` : `${row}.${c}`))
      .join(', ');

  const seed = () => randomBytes(8).readBigInt64BE();
  const userId = uuidV6Sql('u.id', 'u.date_joined', seed());

  await step('map user ids', before.users, async () => {
    await sql.run(
      `CREATE TABLE legacy_user_ids AS SELECT u.id AS legacy_id, ${userId} AS user_id FROM users u`,
    );
    await sql.run('ANALYZE legacy_user_ids');
  });
  const range = await legacyIdRange(sql);
  // With an array, the copies read user ids from it; without, users compute theirs again and children join.
  const byLegacyId = arrayLookupServes(range, before.users)
    ? await step('index user ids by legacy id', before.users, () =>
        buildArrayLookup(sql, range, before.users),
      )
    : undefined;
  const slugs = await step('draw slugs', before.users, async () => slugsBySlot(range, before.users));
  const slugLength = UserIds.slugLength;
  await step('copy users', before.users, () =>
    sql.run(
      `CREATE TABLE users${NEW_TABLE_SUFFIX} AS
       SELECT ${byLegacyId?.('u.id') ?? userId} AS id, encode(substring(?::bytea FROM (u.n * ${slugLength} + 1)::int FOR ${slugLength}), 'escape')::varchar(${slugLength}) COLLATE "C" AS slug,
              ${columns('users', 'u')}
         FROM (SELECT x.*, ${slugs.indexSql} AS n FROM users x) u`,
      [slugs.packed],
    ),
  );
  for (const table of TABLES.slice(1)) {
    await step(`copy ${table}`, before[table], () =>
      sql.run(
        `CREATE TABLE ${table}${NEW_TABLE_SUFFIX} AS
         SELECT ${uuidV6Sql('c.id', `c.${CREATED_COLUMN[table]}`, seed())} AS id,
                ${byLegacyId?.('c.user_id') ?? 'm.user_id'} AS user_id, ${columns(table, 'c')}
           FROM ${table} c ${byLegacyId ? '' : 'JOIN legacy_user_ids m ON m.legacy_id = c.user_id'}`,
      ),
    );
  }

  await step('swap tables', undefined, async () => {
    await sql.run(`DROP TABLE ${[...TABLES].reverse().join(', ')}`);
    for (const table of TABLES) {
      await sql.run(`ALTER TABLE ${table}${NEW_TABLE_SUFFIX} RENAME TO ${table}`);
    }
  });
  for (const table of TABLES) {
    await step(`keys and indexes ${table}`, before[table], async () => {
      for (const statement of finishTableSql(table)) await sql.run(statement);
    });
  }
  await step('keys legacy_user_ids', before.users, () =>
    sql.run(
      `ALTER TABLE legacy_user_ids ALTER COLUMN legacy_id SET NOT NULL, ALTER COLUMN user_id SET NOT NULL,
         ADD CONSTRAINT legacy_user_ids_pkey PRIMARY KEY (legacy_id),
         ADD CONSTRAINT legacy_user_ids_user_id_unique UNIQUE (user_id)`,
    ),
  );
  await step('foreign keys', undefined, async () => {
    for (const statement of FOREIGN_KEYS_SQL) await sql.run(statement);
  });

  const after = await step('verify', undefined, () => verifyCutover(sql, before));

  const rowCounts: Record<string, { before: number; after: number }> = {};
  for (const table of TABLES) rowCounts[table] = { before: before[table], after: after[table] };
  rowCounts.legacy_user_ids = { before: before.users, after: after.legacy_user_ids };
  const finished = performance.now();
  return {
    outcome: 'migrated',
    steps,
    rowCounts,
    lockWaitMs,
    lockHeldMs: finished - lockHeldFrom,
    totalMs: finished - started,
  };
}

/**
 * Distinct user slugs, packed into one buffer that the copy of users slices: one parameter instead of a
 * CSPRNG call per row in SQL. A user's slot is its legacy id minus the smallest, which any worker can
 * compute, so the copy stays parallel; ids too sparse for slots are numbered by one serial row_number().
 */
function slugsBySlot(range: LegacyIdRange, users: number): { packed: Buffer; indexSql: string } {
  const bySlot = slotsAreDense(range, users);
  return {
    packed: packedUniqueSlugs(bySlot ? range.span : users),
    indexSql: bySlot ? `(x.id::int8 - ${range.min})` : '(row_number() OVER () - 1)',
  };
}

/** A worker count PostgreSQL accepts for `max_parallel_workers_per_gather`: an integer from 0 to 1024. */
export function isParallelWorkerCount(count: number): boolean {
  return Number.isInteger(count) && count >= 0 && count <= 1024;
}

function parallelWorkers(count: number): number {
  if (!isParallelWorkerCount(count)) {
    throw new RangeError(`parallelWorkers must be an integer from 0 to 1024, got ${count}`);
  }
  return count;
}

function noop(outcome: CutoverReport['outcome'], steps: CutoverStep[], started: number): CutoverReport {
  return {
    outcome,
    steps,
    rowCounts: {},
    lockWaitMs: 0,
    lockHeldMs: 0,
    totalMs: performance.now() - started,
  };
}

function isLockTimeout(error: unknown): boolean {
  const e = error as { code?: unknown; name?: unknown; message?: unknown };
  return (
    e.code === '55P03' ||
    e.name === 'LockWaitTimeoutException' ||
    (typeof e.message === 'string' && e.message.includes('lock timeout'))
  );
}
