import { DatabaseUrlField, parseEnvWith, RedisUrlField } from '@org/cli';
import { resolveQueuePrefix } from '@org/jobs';
import { RedisClusterNodesField } from '@org/sessions';
import { z } from 'zod';

const booleanString = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

/**
 * Every setting the worker process reads, parsed once from `process.env` (the only place that reads it).
 * Defaults suit a local machine: file mail transport into `.demo/mail` (relative to the directory the worker
 * runs in: `apps/worker` under `pnpm start`). Exports are stored in PostgreSQL (`user_exports`).
 */
export const EnvSchema = z
  .object({
    REDIS_URL: RedisUrlField,
    /** `host:port,...`: a Redis Cluster instead of the one Redis at REDIS_URL. */
    REDIS_CLUSTER_NODES: RedisClusterNodesField,
    DATABASE_URL: DatabaseUrlField,
    /** Unset: `bull` on one Redis, `{bull}` on a cluster (`queuePrefixFor`); the api and migrate agree. */
    QUEUE_PREFIX: z.string().optional(),
    REDIS_KEY_PREFIX: z.string().default(''),
    SESSION_IDLE_TTL_SECONDS: z.coerce
      .number()
      .int()
      .positive()
      .default(30 * 60),
    SESSION_ABSOLUTE_TTL_SECONDS: z.coerce
      .number()
      .int()
      .positive()
      .default(7 * 24 * 3600),
    MAIL_TRANSPORT: z.enum(['file', 'smtp']).default('file'),
    MAIL_DIR: z.string().min(1).default('.demo/mail'),
    MAIL_FROM: z.string().min(3).default('Accounts <no-reply@example.test>'),
    SMTP_HOST: z.string().min(1).optional(),
    SMTP_PORT: z.coerce.number().int().min(1).max(65_535).default(587),
    SMTP_SECURE: booleanString.default(false),
    SMTP_USER: z.string().min(1).optional(),
    SMTP_PASS: z.string().min(1).optional(),
    VERIFY_EMAIL_URL: z
      .string()
      .includes('{token}')
      .default('http://localhost:3000/verify-email?token={token}'),
    RESET_PASSWORD_URL: z
      .string()
      .includes('{token}')
      .default('http://localhost:3000/reset-password?token={token}'),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
    CLEANUP_EVERY_MS: z.coerce.number().int().min(1_000).default(3_600_000),
    CLEANUP_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(1_000),
    TOKEN_GRACE_SECONDS: z.coerce
      .number()
      .int()
      .min(0)
      .default(7 * 24 * 3600),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /**
     * The Prometheus `/metrics` listener; port 0 or unset: none. Named apart from the api's METRICS_* because
     * `pnpm start` and the demo give both apps one environment.
     */
    WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(0),
  })
  .refine((env) => env.MAIL_TRANSPORT !== 'smtp' || env.SMTP_HOST !== undefined, {
    message: 'SMTP_HOST is required when MAIL_TRANSPORT=smtp',
    path: ['SMTP_HOST'],
  })
  .refine((env) => env.SESSION_ABSOLUTE_TTL_SECONDS >= env.SESSION_IDLE_TTL_SECONDS, {
    message: 'SESSION_ABSOLUTE_TTL_SECONDS must be >= SESSION_IDLE_TTL_SECONDS',
    path: ['SESSION_ABSOLUTE_TTL_SECONDS'],
  })
  .transform(resolveQueuePrefix);

export type Env = z.output<typeof EnvSchema>;

/**
 * Parses the environment (empty strings count as unset); throws `EnvError` naming every bad variable.
 *
 * @example
 * const env = parseEnv(process.env);
 */
export function parseEnv(source: Readonly<Record<string, string | undefined>> = process.env): Env {
  return parseEnvWith(EnvSchema, source, 'worker');
}
