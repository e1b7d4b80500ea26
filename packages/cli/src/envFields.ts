import { z } from 'zod';

/** The local development server: trust auth, the `postgres` database. */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * `DATABASE_URL`, with one meaning in every process: unset or empty is the local server, anything else must be
 * a `postgres://` or `postgresql://` URL.
 *
 * @example
 * const EnvSchema = z.object({ DATABASE_URL: DatabaseUrlField, REDIS_URL: RedisUrlField });
 */
export const DatabaseUrlField = z
  .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' })
  .default(DEFAULT_DATABASE_URL);

/**
 * `REDIS_URL`: unset or empty is the local server, anything else a `redis://` or `rediss://` URL.
 *
 * @example
 * const EnvSchema = z.object({ REDIS_URL: RedisUrlField });
 */
export const RedisUrlField = z
  .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
  .default(DEFAULT_REDIS_URL);
