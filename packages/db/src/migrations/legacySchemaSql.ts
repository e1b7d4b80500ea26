/**
 * The schema of the old application, verbatim (issue 3). Migration 1 creates it; the schema check
 * compares live databases against it.
 */
export const LEGACY_SCHEMA_SQL = `
CREATE TABLE users (
  id             serial PRIMARY KEY,
  email          varchar(254) NOT NULL UNIQUE,
  password       varchar(128) NOT NULL,
  first_name     varchar(150) NOT NULL DEFAULT '',
  last_name      varchar(150) NOT NULL DEFAULT '',
  is_active      boolean NOT NULL DEFAULT true,
  is_staff       boolean NOT NULL DEFAULT false,
  email_verified boolean NOT NULL DEFAULT false,
  date_joined    timestamptz NOT NULL,
  last_login     timestamptz
);
CREATE TABLE user_profiles (
  id           serial PRIMARY KEY,
  user_id      integer NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
  display_name varchar(150) NOT NULL DEFAULT '',
  bio          text NOT NULL DEFAULT '',
  avatar_url   varchar(500),
  created_at   timestamptz NOT NULL
);
CREATE TABLE verification_tokens (
  id         serial PRIMARY KEY,
  user_id    integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash varchar(64) NOT NULL UNIQUE,
  purpose    varchar(20) NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at    timestamptz
);
CREATE INDEX verification_tokens_user_id_index ON verification_tokens(user_id);
CREATE TABLE social_accounts (
  id          serial PRIMARY KEY,
  user_id     integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  provider    varchar(30) NOT NULL,
  uid         varchar(191) NOT NULL,
  extra_data  jsonb NOT NULL DEFAULT '{}',
  date_joined timestamptz NOT NULL,
  last_login  timestamptz,
  UNIQUE (provider, uid)
);
CREATE INDEX social_accounts_user_id_index ON social_accounts(user_id);
`;

/** The same, one statement each (the embedded driver runs prepared statements, which hold one command). */
export const LEGACY_SCHEMA_STATEMENTS: readonly string[] = LEGACY_SCHEMA_SQL.split(';')
  .map((statement) => statement.trim())
  .filter((statement) => statement.length > 0);
