import { Migration } from '@mikro-orm/migrations';

/**
 * Tables of the account lifecycle (issue 15): `user_exports` (archives requested with `POST /me/export`, kept
 * in PostgreSQL so any api instance can serve them) and `account_deletions` (accounts deactivated with
 * `DELETE /me`, deleted by the worker after their grace period). Both reference `users` with ON DELETE
 * CASCADE, so deleting a user removes its exports and its deletion request with it.
 *
 * They belong to the product schema: on a database whose user table is not the product's `users` (uuid keys,
 * `date_joined`) the migration changes nothing: the cutover pointed at another table (Django's `auth_user`),
 * or at a team's own table that happens to be called `users` (an ORM's, with `createdAt`). Nor does it on a
 * database that has them already.
 */
export class Migration20261202000000_account_lifecycle extends Migration {
  override async up(): Promise<void> {
    const [users] = await this.execute(
      `SELECT format_type(a.atttypid, a.atttypmod) AS type
         FROM pg_attribute a
        WHERE a.attrelid = to_regclass('users') AND a.attname = 'id' AND NOT a.attisdropped
          AND EXISTS (SELECT 1 FROM pg_attribute d
                       WHERE d.attrelid = a.attrelid AND d.attname = 'date_joined' AND NOT d.attisdropped)`,
    );
    if (users?.type !== 'uuid') return;
    // An unmanaged database adopted as migrated (no MikroORM history) may have the tables already.
    const [existing] = await this.execute(`SELECT to_regclass('user_exports') IS NOT NULL AS present`);
    if (existing?.present === true) return;
    this.addSql(
      `create table "user_exports" ("id" uuid not null, "slug" varchar(22) collate "C" not null, "user_id" uuid not null, "status" varchar(10) not null default 'pending', "created_at" timestamptz not null, "completed_at" timestamptz null, "expires_at" timestamptz not null, "archive" jsonb null, primary key ("id"))`,
    );
    this.addSql(`alter table "user_exports" add constraint "user_exports_slug_unique" unique ("slug")`);
    this.addSql(`create index "user_exports_user_id_index" on "user_exports" ("user_id")`);
    this.addSql(`create index "user_exports_expires_at_index" on "user_exports" ("expires_at")`);
    this.addSql(
      `alter table "user_exports" add constraint "user_exports_user_id_foreign" foreign key ("user_id") references "users" ("id") on delete cascade`,
    );
    this.addSql(
      `create table "account_deletions" ("user_id" uuid not null, "requested_at" timestamptz not null, "delete_after" timestamptz not null, primary key ("user_id"))`,
    );
    this.addSql(
      `create index "account_deletions_delete_after_index" on "account_deletions" ("delete_after")`,
    );
    this.addSql(
      `alter table "account_deletions" add constraint "account_deletions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade`,
    );
  }

  override down(): void {
    this.addSql('drop table if exists "account_deletions"');
    this.addSql('drop table if exists "user_exports"');
  }
}
