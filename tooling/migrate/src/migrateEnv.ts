import { DatabaseUrlField, parseEnvWith, RedisUrlField } from '@org/cli';
import { resolveQueuePrefix } from '@org/jobs';
import { RedisClusterNodesField } from '@org/sessions';
import { z } from 'zod';

/**
 * Everything `pnpm migrate` reads from the environment, parsed once for all three steps: `DATABASE_URL` means
 * the same in every step (unset or empty: the local server), as it does for the api and the worker.
 */
export const MigrateEnvSchema = z
  .object({
    DATABASE_URL: DatabaseUrlField,
    REDIS_URL: RedisUrlField,
    /** `host:port,...`: a Redis Cluster (every master is scanned); unset: the one Redis at REDIS_URL. */
    REDIS_CLUSTER_NODES: RedisClusterNodesField,
    /** Where the old application kept its keys (`<prefix>session:*`, `<prefix>user_tokens:*`). */
    LEGACY_KEY_PREFIX: z.string().default(''),
    /**
     * BullMQ prefix of the queue that holds the legacy jobs (the new jobs use the same): the api's and the
     * worker's. Unset: `bull` on one Redis, `{bull}` on a cluster (`queuePrefixFor`).
     */
    QUEUE_PREFIX: z.string().optional(),
  })
  .transform(resolveQueuePrefix);

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
