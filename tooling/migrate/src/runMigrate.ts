import {
  type CommandIo,
  createProgress,
  createStyle,
  EnvError,
  EXIT,
  type OutputStream,
  runCommand,
} from '@org/cli';
import { DatabaseAuthError, DatabaseUnreachableError, initOrm, type Orm } from '@org/db';
import { connectRedis, type RedisClient, RedisUnreachableError } from '@org/sessions';
import { describeError } from './describeError.js';
import { formatSummary } from './formatSummary.js';
import type { MigrateStep, Service, StepContext } from './MigrateStep.js';
import { MIGRATE_COMMAND, type MigrateOptions, migrateOptionsFrom } from './migrateCommand.js';
import { type MigrateEnv, parseEnv } from './migrateEnv.js';
import { MIGRATE_STEPS } from './migrateSteps.js';
import { isStepOk, type MigrateSummary, type StepName, type StepReport } from './StepReport.js';

/**
 * `pnpm migrate`: parses the command line and the environment once, runs the steps in order in this process,
 * prints one summary (`--json`: as JSON on stdout) and returns the exit code: 0 complete (dry run: every
 * check passed), 1 a step failed or refused, 2 a usage or environment error.
 *
 * @example
 * process.exitCode = await runMigrate(process.argv.slice(2), processIo());
 */
export function runMigrate(
  argv: readonly string[],
  io: CommandIo,
  steps: readonly MigrateStep[] = MIGRATE_STEPS,
): Promise<number> {
  return runCommand(MIGRATE_COMMAND, argv, io, async (values) => {
    const options = await migrateOptionsFrom(values);
    let env: MigrateEnv;
    try {
      env = parseEnv(io.env);
    } catch (error) {
      if (!(error instanceof EnvError)) throw error;
      io.stderr.write(`${MIGRATE_COMMAND.name}: ${error.message}\n`);
      return EXIT.usage;
    }
    const summary = await runSteps(steps, env, options, io);
    io.stdout.write(options.json ? `${JSON.stringify(summary, null, 2)}\n` : `\n${formatSummary(summary)}\n`);
    return summary.complete ? EXIT.ok : EXIT.failed;
  });
}

async function runSteps(
  steps: readonly MigrateStep[],
  env: MigrateEnv,
  options: MigrateOptions,
  io: CommandIo,
): Promise<MigrateSummary> {
  const started = performance.now();
  // With --json, stdout carries the summary alone; everything meant for a reader goes to stderr.
  const text: OutputStream = options.json ? io.stderr : io.stdout;
  const style = createStyle(text, io.env);
  const connections = sharedConnections(env);
  const context: StepContext = {
    env,
    options,
    orm: connections.orm,
    redis: connections.redis,
    progress: createProgress(io.stderr),
  };
  const reports: StepReport[] = [];
  const unreachable = new Map<Service, StepName>();
  try {
    for (const [index, step] of steps.entries()) {
      text.write(
        `${index === 0 ? '' : '\n'}${style.bold(`== ${index + 1}/${steps.length} ${step.title}`)}\n`,
      );
      const base = { step: step.name, dryRun: options.dryRun } as const;
      const reason = whyNotRun(step, options, reports, unreachable);
      if (reason !== undefined) {
        reports.push({ ...base, status: 'skipped', durationMs: 0, summary: reason, counts: {} });
        text.write(`${reason}\n`);
        continue;
      }
      const stepStarted = performance.now();
      try {
        const result = await step.run(context);
        const durationMs = Math.round(performance.now() - stepStarted);
        const { status, summary, counts } = result;
        reports.push({ ...base, status, durationMs, summary, counts, report: result.report });
        text.write(`${result.details}\n${step.name}: ${status} in ${(durationMs / 1000).toFixed(2)} s\n`);
      } catch (error) {
        context.progress.done();
        const durationMs = Math.round(performance.now() - stepStarted);
        const service = unreachableService(error);
        if (service !== undefined) unreachable.set(service, step.name);
        const message = error instanceof Error ? error.message : String(error);
        reports.push({
          ...base,
          status: 'failed',
          durationMs,
          summary: message.split('\n')[0] ?? message,
          counts: {},
          error: describeError(error),
        });
        text.write(`${step.name} failed after ${(durationMs / 1000).toFixed(2)} s: ${message}\n`);
      }
    }
  } finally {
    await connections.close();
  }
  return {
    complete: reports.length === steps.length && reports.every(isStepOk),
    dryRun: options.dryRun,
    durationMs: Math.round(performance.now() - started),
    steps: reports,
  };
}

/**
 * Why a step does not run: a real run stops at the first failure (later steps would act on a half-done
 * cutover); a dry run goes on, but not into a service that an earlier step found unreachable.
 */
function whyNotRun(
  step: MigrateStep,
  options: MigrateOptions,
  reports: readonly StepReport[],
  unreachable: ReadonlyMap<Service, StepName>,
): string | undefined {
  const failed = reports.find((report) => !isStepOk(report));
  if (!options.dryRun && failed !== undefined) return `not run: the ${failed.step} step did not succeed`;
  const service = step.needs.find((needed) => unreachable.has(needed));
  if (service !== undefined) {
    return `not run: ${service} could not be reached (see the ${unreachable.get(service)} step)`;
  }
  return undefined;
}

function unreachableService(error: unknown): Service | undefined {
  if (error instanceof DatabaseUnreachableError || error instanceof DatabaseAuthError) return 'PostgreSQL';
  if (error instanceof RedisUnreachableError) return 'Redis';
  return undefined;
}

/** The ORM and the Redis connection the steps share, opened on first use and closed once at the end. */
function sharedConnections(env: MigrateEnv) {
  let orm: Promise<Orm> | undefined;
  let redis: Promise<RedisClient> | undefined;
  return {
    orm: () => {
      orm ??= initOrm({ clientUrl: env.DATABASE_URL, poolMax: 2 });
      return orm;
    },
    redis: () => {
      redis ??= connectRedis(
        { url: env.REDIS_URL, clusterNodes: env.REDIS_CLUSTER_NODES },
        { connectionName: 'migrate' },
      );
      return redis;
    },
    async close() {
      const [openOrm, openRedis] = await Promise.all([
        orm?.catch(() => undefined),
        redis?.catch(() => undefined),
      ]);
      await openOrm?.close(true).catch(() => undefined);
      openRedis?.disconnect();
    },
  };
}
