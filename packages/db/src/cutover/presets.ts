import type { CutoverConfig, ReferenceRule } from './CutoverConfig.js';
import { findRelation, quoteLiteral, type Relation, readColumns } from './catalog.js';
import type { SqlExecutor } from './SqlExecutor.js';

/** A configuration with its preset applied and its defaults filled in. */
export interface ResolvedConfig {
  readonly preset: CutoverConfig['preset'];
  readonly usersTable: string;
  readonly createdColumn: string;
  readonly references: readonly ReferenceRule[];
  readonly deleteRows: readonly string[];
}

/**
 * Applies the preset (what the database itself says about its conventions) under the explicit settings:
 * explicit values win, explicit rules replace a preset's rule for the same column, lists add up.
 */
export async function resolveConfig(sql: SqlExecutor, config: CutoverConfig): Promise<ResolvedConfig> {
  const preset = config.preset === 'django' ? await djangoPreset(sql, config.usersTable) : undefined;
  const explicit = new Set(config.references.map((r) => `${r.table}.${r.column}`));
  return {
    preset: config.preset,
    usersTable: config.usersTable ?? preset?.usersTable ?? 'users',
    createdColumn: config.createdColumn ?? preset?.createdColumn ?? 'date_joined',
    references: [
      ...(preset?.references ?? []).filter((r) => !explicit.has(`${r.table}.${r.column}`)),
      ...config.references,
    ],
    deleteRows: [...new Set([...(preset?.deleteRows ?? []), ...config.deleteRows])],
  };
}

/**
 * Django's conventions, read from the database Django made: the user model's table is the one the admin
 * log's `user_id` references (`AUTH_USER_MODEL`; `auth_user` without the admin), users joined at
 * `date_joined`; the admin log's generic relation (`content_type_id` + text `object_id`) is translated where
 * its content type is the user model; `django_session` rows are deleted (their payload is signed and embeds
 * the integer user id, so no SQL can rewrite them; users sign in again, as with the Redis sessions).
 */
async function djangoPreset(
  sql: SqlExecutor,
  usersTable: string | undefined,
): Promise<Omit<ResolvedConfig, 'preset'>> {
  const adminLog = await findRelation(sql, 'django_admin_log');
  const users = usersTable
    ? await findRelation(sql, usersTable)
    : ((adminLog && (await referencedBy(sql, adminLog, 'user_id'))) ??
      (await findRelation(sql, 'auth_user')));
  const references: ReferenceRule[] = [];
  const contentTypes = await findRelation(sql, 'django_content_type');
  if (adminLog && contentTypes && users && (await readColumns(sql, adminLog)).has('object_id')) {
    references.push({
      table: `${adminLog.schema}.${adminLog.name}`,
      column: 'object_id',
      action: 'translate',
      // Django names a model's table <app_label>_<model> unless Meta.db_table says otherwise.
      when: `content_type_id = (SELECT id FROM ${contentTypes.schema === 'public' ? '' : `"${contentTypes.schema}".`}django_content_type WHERE app_label || '_' || model = ${quoteLiteral(users.name)})`,
    });
  }
  const session = await findRelation(sql, 'django_session');
  return {
    usersTable: users ? `${users.schema}.${users.name}` : (usersTable ?? 'auth_user'),
    createdColumn: 'date_joined',
    references,
    deleteRows: session ? [`${session.schema}.${session.name}`] : [],
  };
}

async function referencedBy(
  sql: SqlExecutor,
  relation: Relation,
  column: string,
): Promise<Relation | undefined> {
  const [row] = await sql.query<{ oid: string; schema: string; name: string }>(
    `SELECT f.oid::int8 AS oid, n.nspname AS schema, f.relname AS name
       FROM pg_constraint k JOIN pg_class f ON f.oid = k.confrelid JOIN pg_namespace n ON n.oid = f.relnamespace
       JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
      WHERE k.contype = 'f' AND k.conrelid = ? AND a.attname = ? AND array_length(k.conkey, 1) = 1`,
    [relation.oid, column],
  );
  return row ? { oid: Number(row.oid), schema: row.schema, name: row.name } : undefined;
}
