import { EMAIL_LOWER_UNIQUE_SQL } from '../entities/User.js';
import type { TableName } from './expectedSchemas.js';

/**
 * The migrated tables: loaded with CREATE TABLE AS (which PostgreSQL may run with parallel workers), then
 * given MikroORM's exact column definitions, constraint and index names (the schema-diff test fails
 * otherwise). Tables are built under a temporary name and renamed once the legacy ones are gone.
 */
export const NEW_TABLE_SUFFIX = '__v6';

/** Columns copied unchanged, per table, in MikroORM's column order. */
export const COPIED_COLUMNS: Readonly<Record<TableName, readonly string[]>> = {
  users: [
    'email',
    'password',
    'first_name',
    'last_name',
    'is_active',
    'is_staff',
    'email_verified',
    'date_joined',
    'last_login',
  ],
  user_profiles: ['display_name', 'bio', 'avatar_url', 'created_at'],
  verification_tokens: ['token_hash', 'purpose', 'created_at', 'expires_at', 'used_at'],
  social_accounts: ['provider', 'uid', 'extra_data', 'date_joined', 'last_login'],
};

/** Copied columns that the new schema compares byte by byte (collation "C"; see the entities). */
export const BYTEWISE_COLUMNS: ReadonlySet<string> = new Set(['token_hash', 'provider', 'uid']);

const NULLABLE = new Set(['last_login', 'avatar_url', 'used_at']);
const DEFAULTS: Readonly<Record<string, string>> = {
  first_name: `''`,
  last_name: `''`,
  is_active: 'true',
  is_staff: 'false',
  email_verified: 'false',
  display_name: `''`,
  bio: `''`,
  extra_data: `'{}'`,
};

const CONSTRAINTS: Readonly<Record<TableName, readonly string[]>> = {
  users: [
    `add constraint "users_pkey" primary key ("id")`,
    `add constraint "users_slug_unique" unique ("slug")`,
  ],
  user_profiles: [
    `add constraint "user_profiles_pkey" primary key ("id")`,
    `add constraint "user_profiles_user_id_unique" unique ("user_id")`,
  ],
  verification_tokens: [
    `add constraint "verification_tokens_pkey" primary key ("id")`,
    `add constraint "verification_tokens_token_hash_unique" unique ("token_hash")`,
  ],
  social_accounts: [
    `add constraint "social_accounts_pkey" primary key ("id")`,
    `add constraint "social_accounts_uid_provider_unique" unique ("uid", "provider")`,
  ],
};

const INDEXES: Readonly<Partial<Record<TableName, string>>> = {
  users: EMAIL_LOWER_UNIQUE_SQL,
  verification_tokens: `create index "verification_tokens_user_id_index" on "verification_tokens" ("user_id")`,
  social_accounts: `create index "social_accounts_user_id_index" on "social_accounts" ("user_id")`,
};

/**
 * The statements that turn a loaded table into MikroORM's: one ALTER TABLE (NOT NULLs checked in a single
 * pass, defaults, primary key and unique constraints), then the plain indexes.
 */
export function finishTableSql(table: TableName): string[] {
  const columns = ['id', ...(table === 'users' ? ['slug'] : ['user_id']), ...COPIED_COLUMNS[table]];
  const actions = [
    ...columns.filter((c) => !NULLABLE.has(c) && c !== 'id').map((c) => `alter column "${c}" set not null`),
    ...columns.filter((c) => c in DEFAULTS).map((c) => `alter column "${c}" set default ${DEFAULTS[c]}`),
    ...CONSTRAINTS[table],
  ];
  const index = INDEXES[table];
  return [`alter table "${table}" ${actions.join(', ')}`, ...(index ? [index] : [])];
}

/** Foreign keys; adding one validates every row, which is the cutover's "every user_id joins" check. */
export const FOREIGN_KEYS_SQL: readonly string[] = [
  `alter table "user_profiles" add constraint "user_profiles_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade`,
  `alter table "verification_tokens" add constraint "verification_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade`,
  `alter table "social_accounts" add constraint "social_accounts_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade`,
];
