import { z } from 'zod';

const booleanish = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');
const seconds = z.coerce.number().int().positive();

/** Every environment variable the api reads, parsed once (the only place that touches process.env). */
export const EnvSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/postgres'),
  REDIS_URL: z.url().default('redis://127.0.0.1:6379'),
  REDIS_KEY_PREFIX: z.string().default(''),
  /** Where the old application kept its keys (`<prefix>session:*`, `<prefix>user_tokens:*`); the cutover step only. */
  LEGACY_KEY_PREFIX: z.string().default(''),
  QUEUE_PREFIX: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_IDLE_TTL_SECONDS: seconds.default(30 * 60),
  SESSION_ABSOLUTE_TTL_SECONDS: seconds.default(7 * 24 * 3600),
  COOKIE_SECURE: booleanish.default(true),
  TRUST_PROXY: booleanish.default(false),
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
});

export type Env = z.infer<typeof EnvSchema>;

/** Thrown at startup when the environment is unusable; names every bad variable. */
export class EnvError extends Error {
  override readonly name = 'EnvError';
}

/**
 * Parses the environment, failing with every problem at once.
 *
 * @example
 * const env = parseEnv(process.env);
 */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = EnvSchema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new EnvError(`Invalid environment:\n  ${problems.join('\n  ')}`);
  }
  return result.data;
}
