import { z } from 'zod';
import { CutoverConfigError } from '../errors.js';

const identifier = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(127)
  .regex(/^[^\0"]+$/, 'must not contain NUL or double quotes');

/** `table` or `schema.table`, as PostgreSQL spells it (no quoting). */
const tableName = identifier.regex(/^[^.]+(\.[^.]+)?$/, 'must be "table" or "schema.table"');

const ReferenceRule = z
  .object({
    /** The table holding the column; `schema.table` or `table` (searched on the search path). */
    table: tableName,
    column: identifier,
    /**
     * `translate`: the column holds legacy user ids; the cutover rewrites them to the users' UUIDs in the same
     * transaction (integer columns become `uuid`; text columns get the UUID's text). `ignore`: the column is
     * not a user reference, leave it alone.
     */
    action: z.enum(['translate', 'ignore']),
    /** For generic relations: an SQL condition on the table's row; only matching rows are translated. */
    when: z.string().trim().min(1).optional(),
  })
  .strict();

/** How the cutover finds and rewrites a database's user graph; every key is optional. */
export const CutoverConfigSchema = z
  .object({
    /** A known convention: `django` (its user table, `date_joined`, the admin log, `django_session`). */
    preset: z.enum(['django']).optional(),
    /** The table whose integer key becomes a UUIDv6; `users` by default (`schema.table` allowed). */
    usersTable: tableName.optional(),
    /** The column holding each user's creation instant, which its UUIDv6 encodes; `date_joined` by default. */
    createdColumn: identifier.optional(),
    /** Columns without a foreign key that hold user ids (or look as if they did). */
    references: z.array(ReferenceRule).default([]),
    /** Tables whose rows embed legacy user ids that SQL cannot rewrite (a sessions table): emptied. */
    deleteRows: z.array(tableName).default([]),
  })
  .strict();

export type CutoverConfigInput = z.input<typeof CutoverConfigSchema>;
export type CutoverConfig = z.output<typeof CutoverConfigSchema>;
export type ReferenceRule = z.output<typeof ReferenceRule>;

/**
 * Validates a cutover configuration (from a file, flags or code). Throws `CutoverConfigError` naming every
 * key that is wrong.
 *
 * @example
 * parseCutoverConfig({ usersTable: 'accounts_user', preset: 'django' });
 */
export function parseCutoverConfig(input: unknown): CutoverConfig {
  const parsed = CutoverConfigSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  throw new CutoverConfigError(
    parsed.error.issues.map((issue) => {
      const key = issue.path.length > 0 ? issue.path.join('.') : '(root)';
      const message =
        issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.join(', ')}` : issue.message;
      return `${key}: ${message}`;
    }),
  );
}
