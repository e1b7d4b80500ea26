import { classifyConnectionError, redactUrl } from '../classifyConnectionError.js';
import { formatMs } from '../cutover/CutoverReport.js';
import {
  DbError,
  LockTimeoutError,
  PreflightError,
  SchemaMismatchError,
  VerificationError,
} from '../errors.js';
import { formatMigrationRunReport } from '../formatMigrationRunReport.js';
import { initOrm } from '../initOrm.js';
import { initPgliteOrm } from '../initPgliteOrm.js';
import { runMigrations } from '../runMigrations.js';
import { readMigrateEnv } from './migrateEnv.js';
import { MIGRATE_USAGE, parseMigrateArgs } from './parseMigrateArgs.js';
import { stepReportOf, writeStepReport } from './stepReport.js';

export interface CommandIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Runs `migrate` and returns its exit code: 0 done, 1 refused or failed (nothing changed), 2 usage. */
export async function runMigrateCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  let args: ReturnType<typeof parseMigrateArgs>;
  let databaseUrl: string;
  try {
    args = parseMigrateArgs(argv);
    databaseUrl = readMigrateEnv(io.env).DATABASE_URL;
  } catch (error) {
    io.stderr(`migrate: ${error instanceof Error ? error.message : String(error)}\n\n${MIGRATE_USAGE}\n`);
    return 2;
  }
  if (args.help) {
    io.stdout(`${MIGRATE_USAGE}\n`);
    return 0;
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
      ...(args.to === undefined ? {} : { to: args.to }),
      ...(args.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: args.lockTimeoutMs }),
      ...(args.parallelWorkers === undefined ? {} : { parallelWorkers: args.parallelWorkers }),
      onLocked: () => progress('locks held on users, user_profiles, verification_tokens, social_accounts'),
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
    const step = stepReportOf(report);
    writeStepReport(io.env, step);
    return step.status === 'failed' ? 1 : 0;
  } catch (raw) {
    const error = classifyConnectionError(raw, target) ?? raw;
    if (args.json) io.stdout(`${JSON.stringify({ ok: false, error: describeError(error) }, null, 2)}\n`);
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`migrate: ${message}\n`);
    writeStepReport(io.env, {
      step: 'database',
      status: 'failed',
      dryRun: args.dryRun,
      durationMs: 0,
      summary: `${message.split('\n')[0]} (nothing was changed)`,
      counts: {},
    });
    return 1;
  } finally {
    await orm?.close(true).catch(() => undefined);
  }
}

function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { code: 'unknown', message: String(error) };
  const base = {
    name: error.name,
    code: error instanceof DbError ? error.code : 'unexpected',
    message: error.message,
  };
  if (error instanceof SchemaMismatchError) return { ...base, differences: error.differences };
  if (error instanceof PreflightError) return { ...base, problems: error.problems };
  if (error instanceof VerificationError) return { ...base, failures: error.failures };
  if (error instanceof LockTimeoutError) return { ...base, table: error.table };
  return base;
}
