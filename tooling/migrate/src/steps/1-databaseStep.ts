import { redactUrl } from '@org/cli';
import { formatMigrationRunReport, type MigrationRunReport, runMigrations } from '@org/db';
import type { MigrateStep, StepResult } from '../MigrateStep.js';

/** The schema cutover of `@org/db`: `runMigrations` in one transaction, with the task's database options. */
export const databaseStep: MigrateStep = {
  name: 'database',
  title: 'database: the schema cutover to UUIDv6 keys (@org/db)',
  needs: ['PostgreSQL'],
  async run({ env, options, orm, progress }) {
    const tag = (line: string) => progress.line(`[database] ${line}`);
    const report = await runMigrations(await orm(), {
      ...options.database,
      dryRun: options.dryRun,
      target: redactUrl(env.DATABASE_URL),
      onLocked: (tables) => tag(`locks held on ${tables.join(', ')}`),
      onProgress: (event) => {
        const rows = event.rows === undefined ? '' : ` (${event.rows.toLocaleString('en-US')} rows)`;
        tag(
          event.phase === 'start'
            ? `${event.step}...${rows}`
            : `${event.step} done in ${seconds(event.ms ?? 0)}${rows}`,
        );
      },
    });
    return { ...outcomeOf(report), details: formatMigrationRunReport(report), report };
  },
};

function outcomeOf(run: MigrationRunReport): Pick<StepResult, 'status' | 'summary' | 'counts'> {
  if (run.applied.length === 0) {
    return { status: 'already-done', summary: 'database already migrated', counts: {} };
  }
  if (run.dryRun) {
    // A refusal (something the cutover will not carry over as it is) fails the dry run like a data problem.
    const problems = [
      ...(run.plan?.refusals ?? []).map((r) => ({ message: `${r.object}: ${r.reason} (fix: ${r.fix})` })),
      ...(run.preflight?.problems ?? []),
    ];
    const lock =
      run.estimatedLockMs === undefined ? '' : `, estimated lock time ~${seconds(run.estimatedLockMs)}`;
    return {
      status: problems.length > 0 ? 'failed' : 'planned',
      summary:
        problems.length > 0
          ? `the dry run found ${problems.length} problem(s): ${problems.map((p) => p.message).join('; ')}`
          : `would apply ${run.applied.join(', ')}${lock}`,
      counts: {
        ...run.preflight?.rowCounts,
        ...(run.estimatedLockMs === undefined ? {} : { estimatedLockMs: Math.round(run.estimatedLockMs) }),
      },
    };
  }
  const counts: Record<string, number> = {};
  for (const [table, count] of Object.entries(run.cutover?.rowCounts ?? {})) counts[table] = count.after;
  if (run.cutover) counts.lockHeldMs = Math.round(run.cutover.lockHeldMs);
  const locks = run.cutover?.outcome === 'migrated' ? `; locks held ${seconds(run.cutover.lockHeldMs)}` : '';
  return { status: 'done', summary: `applied ${run.applied.join(', ')}${locks}`, counts };
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
