import { Migration } from '@mikro-orm/migrations';
import { LEGACY_SCHEMA_STATEMENTS } from './legacySchemaSql.js';

/** Migration 1: the old application's schema with integer keys, exactly as teams have it. */
export class Migration20261125000000_legacy_schema extends Migration {
  override up(): void {
    for (const statement of LEGACY_SCHEMA_STATEMENTS) this.addSql(statement);
  }

  override down(): void {
    this.addSql('DROP TABLE social_accounts, verification_tokens, user_profiles, users');
  }
}
