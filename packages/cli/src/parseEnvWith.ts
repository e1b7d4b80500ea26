import type { z } from 'zod';
import { EnvError } from './EnvError.js';

/**
 * Parses an environment with a zod schema, the same way in every process: an empty variable counts as unset
 * (so `DATABASE_URL=` means the default for the migrate task, the api and the worker alike), and every bad
 * variable is reported at once in an `EnvError`. Each app's `env.ts` wraps it as its `parseEnv`.
 *
 * @example
 * export const parseEnv = (source = process.env) => parseEnvWith(EnvSchema, source, 'worker');
 */
export function parseEnvWith<S extends z.ZodType>(
  schema: S,
  source: Readonly<Record<string, string | undefined>>,
  label: string,
): z.output<S> {
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  throw new EnvError(
    label,
    result.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`),
  );
}
