import { DatabaseUrlField, parseEnvWith, RedisUrlField } from '@org/cli';
import { DEFAULT_QUEUE_PREFIX } from '@org/jobs';
import { z } from 'zod';

/**
 * Everything `pnpm migrate` reads from the environment, parsed once for all three steps: `DATABASE_URL` means
 * the same in every step (unset or empty: the local server), as it does for the api and the worker.
 */
export const MigrateEnvSchema = z.object({
  DATABASE_URL: DatabaseUrlField,
  REDIS_URL: RedisUrlField,
  /** Where the old application kept its keys (`<prefix>session:*`, `<prefix>user_tokens:*`). */
  LEGACY_KEY_PREFIX: z.string().default(''),
  /** BullMQ prefix of the queue that holds the legacy jobs (the new jobs use the same). */
  QUEUE_PREFIX: z.string().min(1).default(DEFAULT_QUEUE_PREFIX),
});

export type MigrateEnv = z.output<typeof MigrateEnvSchema>;

/**
 * Parses the migrate task's environment; throws `EnvError` naming every bad variable.
 *
 * @example
 * const env = parseEnv(process.env);
 */
export function parseEnv(source: Readonly<Record<string, string | undefined>>): MigrateEnv {
  return parseEnvWith(MigrateEnvSchema, source, 'migrate');
}
