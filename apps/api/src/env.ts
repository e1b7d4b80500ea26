import { DatabaseUrlField, parseEnvWith, RedisUrlField } from '@org/cli';
import { hasHashTag } from '@org/jobs';
import { RedisClusterNodesField } from '@org/sessions';
import { z } from 'zod';
import { parseTrustProxy } from './trustProxy.js';

const booleanish = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');
const seconds = z.coerce.number().int().positive();

/** Node checks request deadlines every 500 ms (`app.ts`), then the answered socket lingers up to 1 s. */
const SHUTDOWN_MARGIN_MS = 2000;

/** Every environment variable the api reads, parsed once (the only place that touches process.env). */
export const EnvSchema = z
  .object({
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
    /** Address of the Prometheus `/metrics` listener (never the public port); loopback unless opened on purpose. */
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    /** Port of the `/metrics` listener; 0 or unset: no listener (see the README's Metrics). */
    METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(0),
    DATABASE_URL: DatabaseUrlField,
    REDIS_URL: RedisUrlField,
    /** `host:port,...`: a Redis Cluster instead of the one Redis at REDIS_URL (the worker and migrate agree). */
    REDIS_CLUSTER_NODES: RedisClusterNodesField,
    REDIS_KEY_PREFIX: z.string().default(''),
    QUEUE_PREFIX: z.string().min(1).optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SESSION_IDLE_TTL_SECONDS: seconds.default(30 * 60),
    SESSION_ABSOLUTE_TTL_SECONDS: seconds.default(7 * 24 * 3600),
    COOKIE_SECURE: booleanish.default(true),
    TRUST_PROXY: z
      .string()
      .default('false')
      .transform((raw, ctx) => {
        try {
          return parseTrustProxy(raw);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
    BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(10 * 1024 * 1024)
      .default(16 * 1024),
    VERIFICATION_TOKEN_TTL_SECONDS: seconds.default(24 * 3600),
    PASSWORD_RESET_TTL_SECONDS: seconds.default(3600),
    RESEND_COOLDOWN_SECONDS: seconds.default(60),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
    /** What every login pays in PBKDF2 so legacy accounts do not answer faster; Django 3.2 wrote 260 000. */
    LEGACY_PBKDF2_ITERATIONS: z.coerce.number().int().min(0).max(10_000_000).default(260_000),
    /** How long a request waits for Redis to confirm a queued email; later outcomes are logged when known. */
    ENQUEUE_TIMEOUT_MS: z.coerce.number().int().min(1).default(2000),
    /** Time to receive a request's headers (slowloris); also bounds a connection that sends nothing. */
    HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
    /** Time to receive a whole request, headers and body; the handler's own time does not count. */
    REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000),
    /** Lifetime of an export, from its request (`POST /me/export`); the worker removes it afterwards. */
    EXPORT_TTL_SECONDS: seconds.max(90 * 24 * 3600).default(7 * 24 * 3600),
    /** Time between `DELETE /me` and the deletion of the account, during which an operator can restore it. */
    ACCOUNT_DELETION_GRACE_SECONDS: z.coerce
      .number()
      .int()
      .min(0)
      .max(365 * 24 * 3600)
      .default(30 * 24 * 3600),
  })
  .refine(
    (env) =>
      env.REDIS_CLUSTER_NODES.length === 0 || env.QUEUE_PREFIX === undefined || hasHashTag(env.QUEUE_PREFIX),
    {
      path: ['QUEUE_PREFIX'],
      message: 'needs a {hash tag} on a Redis Cluster (every key of a BullMQ queue in one slot), e.g. {bull}',
    },
  )
  .refine((env) => env.METRICS_PORT === 0 || env.METRICS_PORT !== env.PORT, {
    path: ['METRICS_PORT'],
    message: 'must differ from PORT: metrics are served on a listener of their own, never on the public port',
  })
  .refine((env) => env.HEADERS_TIMEOUT_MS <= env.REQUEST_TIMEOUT_MS, {
    path: ['HEADERS_TIMEOUT_MS'],
    message: 'must not exceed REQUEST_TIMEOUT_MS (the headers are part of the request)',
  })
  .refine((env) => env.REQUEST_TIMEOUT_MS + SHUTDOWN_MARGIN_MS <= env.SHUTDOWN_TIMEOUT_MS, {
    path: ['REQUEST_TIMEOUT_MS'],
    message: `must be at least ${SHUTDOWN_MARGIN_MS} ms below SHUTDOWN_TIMEOUT_MS, so that a request still arriving when shutdown starts times out before shutdown gives up`,
  });

export type Env = z.output<typeof EnvSchema>;

/**
 * Parses the environment, failing with every problem at once (`EnvError` of `@org/cli`); an empty variable
 * counts as unset, as in the worker and the migrate task.
 *
 * @example
 * const env = parseEnv(process.env);
 */
export function parseEnv(source: Readonly<Record<string, string | undefined>>): Env {
  return parseEnvWith(EnvSchema, source, 'api');
}
