import { readFile } from 'node:fs/promises';
import { classifyConnectionError, redactUrl } from '../classifyConnectionError.js';
import { type CutoverConfig, parseCutoverConfig } from '../cutover/CutoverConfig.js';
import { formatMs } from '../cutover/CutoverReport.js';
import {
  ConversionError,
  CutoverConfigError,
  CutoverRefusedError,
  DbError,
  LockTimeoutError,
  PreflightError,
  SchemaMismatchError,
  UsersTableNotFoundError,
  VerificationError,
} from '../errors.js';
import { formatMigrationRunReport } from '../formatMigrationRunReport.js';
import { initOrm } from '../initOrm.js';
import { initPgliteOrm } from '../initPgliteOrm.js';
import { runMigrations } from '../runMigrations.js';
import { readMigrateEnv } from './migrateEnv.js';
import { MIGRATE_USAGE, parseMigrateArgs } from './parseMigrateArgs.js';

export interface CommandIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Runs `migrate` and returns its exit code: 0 done, 1 refused or failed (nothing changed), 2 usage. */
export async function runMigrateCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  let args: ReturnType<typeof parseMigrateArgs>;
  let databaseUrl: string;
  let cutover: CutoverConfig;
  try {
    args = parseMigrateArgs(argv);
    if (args.help) {
      io.stdout(`${MIGRATE_USAGE}\n`);
      return 0;
    }
    databaseUrl = readMigrateEnv(io.env).DATABASE_URL;
    cutover = await readCutoverConfig(args);
  } catch (error) {
    const usage = error instanceof CutoverConfigError ? '' : `\n\n${MIGRATE_USAGE}`;
    io.stderr(`migrate: ${error instanceof Error ? error.message : String(error)}${usage}\n`);
    return 2;
  }
  const target = args.pglite ? `pglite:${args.pglite}` : redactUrl(databaseUrl);
  const progress = (line: string) => io.stderr(`[migrate] ${line}\n`);
  let orm: Awaited<ReturnType<typeof initOrm>> | Awaited<ReturnType<typeof initPgliteOrm>> | undefined;
  try {
    orm = args.pglite
      ? await initPgliteOrm({ dbName: args.pglite, dropLegacyMap: args.dropLegacyMap })
      : await initOrm({ clientUrl: databaseUrl, dropLegacyMap: args.dropLegacyMap, poolMax: 2 });
    progress(`${args.dryRun ? 'dry run on' : 'migrating'} ${target}`);
    const report = await runMigrations(orm, {
      target,
      dryRun: args.dryRun,
      cutover,
      ...(args.to === undefined ? {} : { to: args.to }),
      ...(args.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: args.lockTimeoutMs }),
      ...(args.parallelWorkers === undefined ? {} : { parallelWorkers: args.parallelWorkers }),
      onLocked: (tables) => progress(`locks held on ${tables.join(', ')}`),
      onProgress: (event) => {
        const rows = event.rows === undefined ? '' : ` (${event.rows.toLocaleString('en-US')} rows)`;
        if (event.phase === 'start') progress(`${event.step}...${rows}`);
        else progress(`${event.step} done in ${formatMs(event.ms ?? 0)}${rows}`);
      },
    });
    io.stdout(
      args.json
        ? `${JSON.stringify({ ok: true, ...report }, null, 2)}\n`
        : `${formatMigrationRunReport(report)}\n`,
    );
    // A dry run that found refusals or preflight problems fails: the real run would.
    const problems = (report.plan?.refusals.length ?? 0) + (report.preflight?.problems.length ?? 0);
    return report.dryRun && problems > 0 ? 1 : 0;
  } catch (raw) {
    const error = classifyConnectionError(raw, target) ?? raw;
    if (args.json) io.stdout(`${JSON.stringify({ ok: false, error: describeError(error) }, null, 2)}\n`);
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`migrate: ${message}\n`);
    return 1;
  } finally {
    await orm?.close(true).catch(() => undefined);
  }
}

function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { code: 'UNEXPECTED', message: String(error) };
  const base = {
    name: error.name,
    code: error instanceof DbError ? error.code : 'UNEXPECTED',
    message: error.message,
  };
  if (error instanceof SchemaMismatchError) return { ...base, differences: error.differences };
  if (error instanceof PreflightError) return { ...base, problems: error.problems };
  if (error instanceof VerificationError) return { ...base, failures: error.failures };
  if (error instanceof LockTimeoutError) return { ...base, table: error.table };
  if (error instanceof CutoverRefusedError) return { ...base, refusals: error.refusals };
  if (error instanceof UsersTableNotFoundError)
    return { ...base, usersTable: error.usersTable, tablesFound: error.tablesFound };
  if (error instanceof ConversionError) return { ...base, object: error.object };
  return base;
}

/** The cutover configuration: the `--config` file (JSON) under the flags, validated as one object. */
async function readCutoverConfig(args: ReturnType<typeof parseMigrateArgs>): Promise<CutoverConfig> {
  let file: Record<string, unknown> = {};
  if (args.config !== undefined) {
    let text: string;
    try {
      text = await readFile(args.config, 'utf8');
    } catch (error) {
      throw new CutoverConfigError([`--config: cannot read ${args.config} (${(error as Error).message})`]);
    }
    try {
      file = JSON.parse(text) as Record<string, unknown>;
    } catch (error) {
      throw new CutoverConfigError([`--config: ${args.config} is not JSON (${(error as Error).message})`]);
    }
    if (typeof file !== 'object' || file === null || Array.isArray(file)) {
      throw new CutoverConfigError([`--config: ${args.config} must hold a JSON object`]);
    }
  }
  return parseCutoverConfig({
    ...file,
    ...(args.usersTable === undefined ? {} : { usersTable: args.usersTable }),
    ...(args.createdColumn === undefined ? {} : { createdColumn: args.createdColumn }),
    ...(args.preset === undefined ? {} : { preset: args.preset }),
  });
}
