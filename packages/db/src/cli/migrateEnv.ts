import { z } from 'zod';

/** The default: the local development server, trust auth, the `postgres` database. */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

const EnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .default(DEFAULT_DATABASE_URL)
    .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// or postgresql:// URL'),
});

export type MigrateEnv = z.infer<typeof EnvSchema>;

/** Reads the migrate command's environment; throws a readable error for a malformed DATABASE_URL. */
export function readMigrateEnv(env: NodeJS.ProcessEnv): MigrateEnv {
  const parsed = EnvSchema.safeParse({ DATABASE_URL: env.DATABASE_URL || undefined });
  if (!parsed.success) {
    throw new Error(
      `invalid environment: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}
