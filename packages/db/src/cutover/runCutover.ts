import { randomBytes } from 'node:crypto';
import {
  ConversionError,
  CutoverRefusedError,
  LockTimeoutError,
  PreflightError,
  SchemaMismatchError,
  UsersTableNotFoundError,
} from '../errors.js';
import { UserIds } from '../idKinds.js';
import { type CutoverConfig, parseCutoverConfig } from './CutoverConfig.js';
import type { CutoverProgress, CutoverReport, CutoverStep } from './CutoverReport.js';
import { type Column, display, displayColumn, qualified, quoteIdent, quoteLiteral } from './catalog.js';
import { buildIdLookup, createUncompressedTemp, dropIdLookup, type IdLookup } from './idLookup.js';
import { packedUniqueSlugs } from './packedSlugs.js';
import { dropPrecomputedKeys, type KeyExpression, precomputeKeys } from './precomputedKeys.js';
import { preflight } from './preflight.js';
import { productSchemaAfter, productSchemaBefore, productTypeChanges } from './productSchema.js';
import type { SqlExecutor } from './SqlExecutor.js';
import { conversionsOf, type KeyTable, readUserGraph, type UserGraph } from './userGraph.js';
import { uuidV6Sql } from './uuidV6Sql.js';
import { verifyCutover } from './verifyCutover.js';

export interface CutoverOptions {
  /** Where the user graph starts and how to read columns without foreign keys (validated). */
  readonly config?: CutoverConfig;
  /** How long to wait for each table lock before giving up unchanged; 5000 ms by default. */
  readonly lockTimeoutMs?: number;
  /** Called when a step starts and ends. */
  readonly onProgress?: (event: CutoverProgress) => void;
  /** Called once all locks are held, with the tables locked. */
  readonly onLocked?: (tables: readonly string[]) => void;
  /** Embedded PostgreSQL (PGlite) lacks some server settings. */
  readonly embedded?: boolean;
  /** `work_mem` / `maintenance_work_mem` for this transaction; '1GB' each by default (index builds, sorts). */
  readonly workMem?: string;
  readonly maintenanceWorkMem?: string;
  /**
   * Parallel workers per scan and per index build of this transaction (`max_parallel_workers_per_gather`,
   * `max_parallel_maintenance_workers`); the server's settings by default.
   */
  readonly parallelWorkers?: number;
}

/** Names of this transaction's temporary objects. */
const USER_IDS = 'cutover_user_ids';
const SLUGS = 'cutover_slugs';
const SLUG_COUNTER = 'cutover_slug_counter';

/**
 * The cutover from integer keys to UUIDv6 keys of a database's user graph, inside the caller's transaction:
 * read the graph from the catalog (already migrated: no-op; anything it will not carry over: refused before
 * any change), take every lock up front with a lock timeout, preflight the data, then convert each table in
 * place with one `ALTER TABLE` (one rewrite; its columns, indexes, constraints, triggers, grants, policies,
 * comments, options and publications stay attached), add the foreign keys back as they were, re-create the
 * views, policies and triggers that read converted columns, and verify before returning. Any error leaves
 * the transaction to roll back.
 */
export async function runCutover(sql: SqlExecutor, options: CutoverOptions = {}): Promise<CutoverReport> {
  const config = options.config ?? parseCutoverConfig({});
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

  // Reading view definitions takes share locks on what the views read: a busy table fails fast here too.
  const lockTimeoutMs = options.lockTimeoutMs ?? 5000;
  await sql.run(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(lockTimeoutMs))}`);
  const initial = await step('read the user graph', undefined, () => readUserGraph(sql, config));
  if (initial.state === 'migrated') return noop('already-migrated', steps, started);
  if (initial.state === 'empty') throw new UsersTableNotFoundError(config.usersTable ?? 'users', []);
  if (initial.graph.refusals.length > 0) throw new CutoverRefusedError(initial.graph.refusals);

  await sql.run(`SET LOCAL work_mem = '${options.workMem ?? '1GB'}'`);
  await sql.run(`SET LOCAL maintenance_work_mem = '${options.maintenanceWorkMem ?? '1GB'}'`);
  if (!options.embedded) {
    // A killed client otherwise leaves its backend running the current statement (and holding the locks)
    // until the statement ends; with this the server notices within a second and rolls back.
    await sql.run(`SET LOCAL client_connection_check_interval = 1000`);
    if (workers !== undefined) {
      await sql.run(`SET LOCAL max_parallel_workers_per_gather = ${workers}`);
      await sql.run(`SET LOCAL max_parallel_maintenance_workers = ${workers}`);
    }
  }

  // Slugs are drawn before the locks, for as many users as the statistics say (drawn again under the
  // locks only if more users arrived meanwhile): the draw and its upload cost no lock time.
  let slugCount = await step('draw slugs', undefined, async () =>
    drawSlugs(sql, await estimatedRows(sql, initial.graph)),
  );

  // Each key table's new keys, computed now where they are dense and checked row by row under the locks.
  const seeds = new Map(
    initial.graph.keyTables.map((t) => [t.relation.oid, randomBytes(8).readBigInt64BE()]),
  );
  const computedKey = (table: KeyTable) => {
    if (!seeds.has(table.relation.oid)) seeds.set(table.relation.oid, randomBytes(8).readBigInt64BE());
    return uuidV6Sql(
      quoteIdent(table.key.name),
      quoteIdent(table.created.name),
      seeds.get(table.relation.oid)!,
    );
  };
  const precomputed = new Map<number, KeyExpression>();
  const precomputedNames: string[] = [];
  await step('compute keys before the locks', undefined, async () => {
    for (const [i, table] of initial.graph.keyTables.entries()) {
      const name = `cutover_pre_${i}`;
      const expression = await precomputeKeys(sql, table, computedKey(table), name).catch((error) => {
        if (isLockTimeout(error)) throw new LockTimeoutError(display(table.relation), lockTimeoutMs, error);
        throw error;
      });
      if (!expression) continue;
      precomputed.set(table.relation.oid, expression);
      precomputedNames.push(name);
    }
  });

  const locked = [...initial.graph.tables, ...initial.graph.views];
  const lockStarted = performance.now();
  await step('lock tables', undefined, async () => {
    for (const relation of locked) {
      try {
        await sql.run(`LOCK TABLE ${qualified(relation)} IN ACCESS EXCLUSIVE MODE`);
      } catch (error) {
        if (isLockTimeout(error)) throw new LockTimeoutError(display(relation), lockTimeoutMs, error);
        throw error;
      }
    }
  });
  const lockHeldFrom = performance.now();
  const lockWaitMs = lockHeldFrom - lockStarted;
  options.onLocked?.(locked.map(display));

  // Locked now: nobody can change these tables between this reading and the conversion.
  const again = await readUserGraph(sql, config);
  if (again.state !== 'legacy') {
    throw new SchemaMismatchError([`the user graph changed to "${again.state}" while waiting for the locks`]);
  }
  const graph = again.graph;
  if (graph.refusals.length > 0) throw new CutoverRefusedError(graph.refusals);
  const lockedOids = new Set(locked.map((r) => r.oid));
  const unlocked = [...graph.tables, ...graph.views].filter((r) => !lockedOids.has(r.oid));
  if (unlocked.length > 0) {
    throw new SchemaMismatchError([
      `${unlocked.map(display).join(', ')} joined the user graph while waiting for the locks; run again`,
    ]);
  }

  // Deferred foreign keys (Django's are all DEFERRABLE INITIALLY DEFERRED) would queue their checks of the
  // rows this transaction deletes or updates until commit, and PostgreSQL refuses to ALTER a table with
  // pending trigger events: checks fire at the end of each statement instead.
  await sql.run('SET CONSTRAINTS ALL IMMEDIATE');
  const checked = await step('preflight', undefined, () => preflight(sql, graph));
  if (checked.problems.length > 0) throw new PreflightError(checked.problems);
  const rows = (relation: { oid: number }) => checked.tables.get(relation.oid)?.rows ?? 0;
  const usersRows = rows(graph.users.relation);

  for (const relation of graph.deletions) {
    await step(`delete rows ${display(relation)}`, rows(relation), () =>
      sql.run(`DELETE FROM ${qualified(relation)}`),
    );
  }

  // Maps from legacy key to new id: the permanent legacy_user_ids, and one per other referenced key table.
  const newId = (table: KeyTable) => {
    const computed = computedKey(table);
    return precomputed.get(table.relation.oid)?.(computed) ?? computed;
  };
  const lookups = new Map<KeyTable, IdLookup>();
  const lookupNames: string[] = [];
  await step('map user ids', usersRows, async () => {
    const users = graph.users;
    await sql.run(
      `CREATE TABLE legacy_user_ids AS SELECT ${quoteIdent(users.key.name)} AS legacy_id, ${newId(users)} AS user_id FROM ${qualified(users.relation)}`,
    );
    // Statistics serve only the joins of declared text translations (the lookup reads an array).
    if (graph.translations.length > 0) await sql.run('ANALYZE legacy_user_ids');
    const range = checked.tables.get(users.relation.oid)?.keyRange;
    lookups.set(users, await buildIdLookup(sql, 'legacy_user_ids', USER_IDS, 'user_id', range));
    lookupNames.push(USER_IDS);
  });
  for (const [i, table] of graph.keyTables.slice(1).entries()) {
    if (!graph.references.some((r) => r.target === table)) continue;
    await step(`map ids of ${display(table.relation)}`, rows(table.relation), async () => {
      const map = `cutover_map_${i}`;
      await sql.run(
        `CREATE TEMP TABLE ${map} ON COMMIT DROP AS SELECT ${quoteIdent(table.key.name)} AS legacy_id, ${newId(table)} AS new_id FROM ${qualified(table.relation)}`,
      );
      const range = checked.tables.get(table.relation.oid)?.keyRange;
      lookups.set(table, await buildIdLookup(sql, map, `cutover_ids_${i}`, 'new_id', range));
      lookupNames.push(`cutover_ids_${i}`);
    });
  }
  if (slugCount < usersRows) {
    slugCount = await step('draw more slugs', usersRows, () => drawSlugs(sql, usersRows));
  }

  await step('set aside foreign keys, views, policies, triggers', undefined, async () => {
    for (const object of [...graph.recreated].reverse()) await sql.run(object.drop);
    for (const fk of graph.foreignKeys) {
      await sql.run(`ALTER TABLE ${qualified(fk.relation)} DROP CONSTRAINT ${quoteIdent(fk.name)}`);
    }
    for (const statement of await productSchemaBefore(sql, graph)) await sql.run(statement);
  });

  const ownedSequences: string[] = [];
  for (const relation of graph.tables) {
    const { key, references } = conversionsOf(graph, relation);
    if (!key && references.length === 0) continue;
    await step(`convert ${display(relation)}`, rows(relation), async () => {
      const changes: string[] = [];
      if (key) {
        const released = await releaseKeyDefault(sql, key.key);
        if (released) await sql.run(`ALTER TABLE ${qualified(relation)} ${released}`);
        // Asked after the release: DROP IDENTITY drops an identity's own sequence, while a serial's stays owned by
        // the column and is dropped below once nothing uses it.
        const [sequence] = await sql.query<{ name: string | null }>(
          `SELECT pg_get_serial_sequence(?, ?) AS name`,
          [qualified(relation), key.key.name],
        );
        if (sequence?.name) ownedSequences.push(sequence.name);
        const viaMap = lookups.get(key);
        changes.push(
          `ALTER COLUMN ${quoteIdent(key.key.name)} TYPE uuid USING ${viaMap ? viaMap(quoteIdent(key.key.name)) : newId(key)}`,
        );
      }
      for (const reference of references) {
        const lookup = lookups.get(reference.target)!;
        changes.push(
          `ALTER COLUMN ${quoteIdent(reference.column.name)} TYPE uuid USING ${lookup(quoteIdent(reference.column.name))}`,
        );
      }
      if (key?.role === 'users') {
        const length = UserIds.slugLength;
        changes.push(
          `ADD COLUMN slug varchar(${length}) COLLATE "C" NOT NULL DEFAULT encode(substring(pg_temp.${SLUGS}() FROM (nextval('pg_temp.${SLUG_COUNTER}') * ${length} - ${length - 1})::int4 FOR ${length}), 'escape')`,
        );
      }
      changes.push(...productTypeChanges(graph, relation));
      try {
        await sql.run(`ALTER TABLE ${qualified(relation)} ${changes.join(', ')}`);
      } catch (error) {
        if (isLockTimeout(error)) throw error;
        throw new ConversionError(`table ${display(relation)}`, error);
      }
    });
  }

  await step('keys and indexes', undefined, async () => {
    const users = qualified(graph.users.relation);
    await sql.run(`ALTER TABLE ${users} ALTER COLUMN slug DROP DEFAULT`);
    await sql.run(
      `ALTER TABLE ${users} ADD CONSTRAINT ${quoteIdent(`${graph.users.relation.name}_slug_unique`)} UNIQUE (slug)`,
    );
    for (const sequence of ownedSequences) await dropIfUnused(sql, sequence);
    await sql.run(
      'ALTER TABLE legacy_user_ids ALTER COLUMN legacy_id SET NOT NULL, ALTER COLUMN user_id SET NOT NULL',
    );
    for (const statement of await productSchemaAfter(sql, graph)) await sql.run(statement);
  });

  for (const translation of graph.translations) {
    const table = qualified(translation.column.relation);
    const column = quoteIdent(translation.column.name);
    await step(`translate ${displayColumn(translation.column)}`, rows(translation.column.relation), () =>
      sql.run(
        `UPDATE ${table} t SET ${column} = m.user_id::text FROM legacy_user_ids m
          WHERE t.${column} = m.legacy_id::text${translation.when ? ` AND (${translation.when})` : ''}`,
      ),
    );
  }

  await step('foreign keys', undefined, async () => {
    const productNames = productForeignKeyNames(graph);
    for (const fk of graph.foreignKeys) {
      const name = productNames.get(fk.oid) ?? fk.name;
      try {
        await sql.run(
          `ALTER TABLE ${qualified(fk.relation)} ADD CONSTRAINT ${quoteIdent(name)} ${fk.definition}`,
        );
      } catch (error) {
        throw new ConversionError(`foreign key ${fk.name} on ${display(fk.relation)}`, error);
      }
      if (fk.comment !== null) {
        await sql.run(
          `COMMENT ON CONSTRAINT ${quoteIdent(name)} ON ${qualified(fk.relation)} IS ${quoteLiteral(fk.comment)}`,
        );
      }
    }
  });

  if (graph.recreated.length > 0) {
    await step('re-create views, policies, triggers', undefined, async () => {
      for (const object of graph.recreated) {
        try {
          for (const statement of object.create) await sql.run(statement);
        } catch (error) {
          throw new ConversionError(object.object, error);
        }
      }
    });
  }

  const after = await step('verify', undefined, () => verifyCutover(sql, graph, checked));
  for (const name of lookupNames) await dropIdLookup(sql, name);
  for (const name of precomputedNames) await dropPrecomputedKeys(sql, name);
  await sql.run(`DROP FUNCTION pg_temp.${SLUGS}()`);
  await sql.run(`DROP SEQUENCE pg_temp.${SLUG_COUNTER}`);

  const finished = performance.now();
  return {
    outcome: 'migrated',
    steps,
    rowCounts: after,
    lockWaitMs,
    lockHeldMs: finished - lockHeldFrom,
    totalMs: finished - started,
  };
}

/**
 * Draws `count` distinct slugs from `@org/ids` into a temporary table of this transaction, behind the
 * IMMUTABLE function and the counter that the user table's new `slug` column takes them from (see
 * `buildIdLookup` for why such a function is folded into a constant). Returns how many were drawn.
 */
async function drawSlugs(sql: SqlExecutor, count: number): Promise<number> {
  await sql.run(`DROP FUNCTION IF EXISTS pg_temp.${SLUGS}()`);
  await sql.run(`DROP TABLE IF EXISTS pg_temp.${SLUGS}`);
  await sql.run(`DROP SEQUENCE IF EXISTS pg_temp.${SLUG_COUNTER}`);
  await createUncompressedTemp(sql, SLUGS, { packed: 'bytea' });
  await sql.run(`INSERT INTO ${SLUGS} VALUES (?::bytea)`, [packedUniqueSlugs(count)]);
  await sql.run(
    `CREATE FUNCTION pg_temp.${SLUGS}() RETURNS bytea LANGUAGE sql IMMUTABLE AS 'SELECT packed FROM pg_temp.${SLUGS}'`,
  );
  // Cached: the one session that draws from it gets consecutive numbers without touching the sequence per row.
  await sql.run(`CREATE TEMP SEQUENCE ${SLUG_COUNTER} CACHE 65536`);
  return count;
}

/** The planner's row estimate of the user table, with some slack; 0 when it has never been analyzed. */
async function estimatedRows(sql: SqlExecutor, graph: UserGraph): Promise<number> {
  const [row] = await sql.query<{ n: string }>(
    `SELECT greatest(reltuples, 0)::int8 AS n FROM pg_class WHERE oid = ?`,
    [graph.users.relation.oid],
  );
  const estimate = Number(row?.n ?? 0);
  return estimate === 0 ? 0 : Math.ceil(estimate * 1.02) + 1000;
}

/**
 * The keys of `legacy_user_ids` (legacy id, and the reverse lookup by user id), built after the cutover has
 * committed: nothing reads the map while the cutover holds its locks, so its index builds need not hold them.
 * Idempotent: a run that died between the commit and these builds gets them on the next `runMigrations`.
 */
export async function ensureLegacyMapKeys(sql: SqlExecutor): Promise<void> {
  const [row] = await sql.query<{ map: boolean; pkey: boolean; unique: boolean }>(
    `SELECT to_regclass('legacy_user_ids') IS NOT NULL AS map,
            EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'legacy_user_ids_pkey' AND conrelid = to_regclass('legacy_user_ids')) AS pkey,
            EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'legacy_user_ids_user_id_unique' AND conrelid = to_regclass('legacy_user_ids')) AS unique`,
  );
  if (!row?.map) return;
  const missing = [
    ...(row.pkey ? [] : ['ADD CONSTRAINT legacy_user_ids_pkey PRIMARY KEY (legacy_id)']),
    ...(row.unique ? [] : ['ADD CONSTRAINT legacy_user_ids_user_id_unique UNIQUE (user_id)']),
  ];
  if (missing.length > 0) await sql.run(`ALTER TABLE legacy_user_ids ${missing.join(', ')}`);
}

/** The clause that frees an integer key of its sequence default or identity, if it has one. */
async function releaseKeyDefault(sql: SqlExecutor, key: Column): Promise<string | undefined> {
  const [row] = await sql.query<{ identity: string; has_default: boolean }>(
    `SELECT attidentity AS identity, atthasdef AS has_default FROM pg_attribute WHERE attrelid = ? AND attnum = ?`,
    [key.relation.oid, key.attnum],
  );
  const column = quoteIdent(key.name);
  if (row?.identity) return `ALTER COLUMN ${column} DROP IDENTITY`;
  if (row?.has_default) return `ALTER COLUMN ${column} DROP DEFAULT`;
  return undefined;
}

/** Drops a serial key's sequence unless another column still draws from it. */
async function dropIfUnused(sql: SqlExecutor, sequence: string): Promise<void> {
  const [row] = await sql.query<{ used: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_depend d WHERE d.refobjid = ?::regclass AND d.classid = 'pg_attrdef'::regclass) AS used`,
    [sequence],
  );
  if (!row?.used) await sql.run(`DROP SEQUENCE ${sequence}`);
}

/** The product's foreign keys get MikroORM's names (`<table>_user_id_foreign`); the team's keep theirs. */
export function productForeignKeyNames(graph: UserGraph): Map<number, string> {
  const names = new Map<number, string>();
  for (const fk of graph.foreignKeys) {
    const product = graph.keyTables.find((t) => t.relation.oid === fk.relation.oid && t.role !== 'users');
    if (
      product &&
      fk.columns.length === 1 &&
      fk.columns[0] === 'user_id' &&
      fk.referenced.oid === graph.users.relation.oid
    ) {
      names.set(fk.oid, `${product.relation.name}_user_id_foreign`);
    }
  }
  return names;
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
