import type { Progress } from '@org/cli';
import type { Orm } from '@org/db';
import type { RedisClient } from '@org/sessions';
import type { MigrateOptions } from './migrateCommand.js';
import type { MigrateEnv } from './migrateEnv.js';
import type { StepName, StepStatus } from './StepReport.js';

/** A service a step talks to. */
export type Service = 'PostgreSQL' | 'Redis';

/** What every step gets: the one parsed environment, the options, shared connections, and progress output. */
export interface StepContext {
  readonly env: MigrateEnv;
  readonly options: MigrateOptions;
  /** The ORM on DATABASE_URL, opened on first use and shared by the steps. */
  orm(): Promise<Orm>;
  /**
   * One connection to REDIS_URL (a Redis Cluster when REDIS_CLUSTER_NODES is set), opened on first use and
   * shared; `RedisUnreachableError` if it cannot be.
   */
  redis(): Promise<RedisClient>;
  /** Progress on stderr: a status redrawn in place on a terminal, throttled whole lines elsewhere. */
  readonly progress: Progress;
}

/** What a step returns; the task adds its name, its duration and the dry-run flag. */
export interface StepResult {
  readonly status: Exclude<StepStatus, 'skipped'>;
  readonly summary: string;
  readonly counts: Readonly<Record<string, number>>;
  /** The step's report in its package's own readable form. */
  readonly details: string;
  /** The step's report as its package returns it. */
  readonly report: unknown;
}

/** One step of the cutover: a function of the package that owns the data it moves, and how to run it. */
export interface MigrateStep {
  readonly name: StepName;
  /** Its heading: what it changes. */
  readonly title: string;
  /** Not run (skipped) once an earlier step found one of these unreachable. */
  readonly needs: readonly Service[];
  run(context: StepContext): Promise<StepResult>;
}
