/** `data_type` + length of a column as `information_schema.columns` reports it, plus nullability. */
export interface ColumnShape {
  readonly type: string;
  readonly nullable: boolean;
}

type TableShapes = Readonly<Record<string, Readonly<Record<string, ColumnShape>>>>;

const notNull = (type: string): ColumnShape => ({ type, nullable: false });
const nullable = (type: string): ColumnShape => ({ type, nullable: true });

/** The four tables as the old application created them (issue 3). */
export const LEGACY_TABLES: TableShapes = {
  users: {
    id: notNull('integer'),
    email: notNull('character varying(254)'),
    password: notNull('character varying(128)'),
    first_name: notNull('character varying(150)'),
    last_name: notNull('character varying(150)'),
    is_active: notNull('boolean'),
    is_staff: notNull('boolean'),
    email_verified: notNull('boolean'),
    date_joined: notNull('timestamp with time zone'),
    last_login: nullable('timestamp with time zone'),
  },
  user_profiles: {
    id: notNull('integer'),
    user_id: notNull('integer'),
    display_name: notNull('character varying(150)'),
    bio: notNull('text'),
    avatar_url: nullable('character varying(500)'),
    created_at: notNull('timestamp with time zone'),
  },
  verification_tokens: {
    id: notNull('integer'),
    user_id: notNull('integer'),
    token_hash: notNull('character varying(64)'),
    purpose: notNull('character varying(20)'),
    created_at: notNull('timestamp with time zone'),
    expires_at: notNull('timestamp with time zone'),
    used_at: nullable('timestamp with time zone'),
  },
  social_accounts: {
    id: notNull('integer'),
    user_id: notNull('integer'),
    provider: notNull('character varying(30)'),
    uid: notNull('character varying(191)'),
    extra_data: notNull('jsonb'),
    date_joined: notNull('timestamp with time zone'),
    last_login: nullable('timestamp with time zone'),
  },
};

/** Parent first: the order locks are taken and tables are rewritten in. */
export const TABLES = ['users', 'user_profiles', 'verification_tokens', 'social_accounts'] as const;
export type TableName = (typeof TABLES)[number];
