import { Migration } from '@mikro-orm/migrations';

/**
 * The explicit last step: drops `legacy_user_ids` once no queued work, log reader or integration still
 * needs old integer ids. Listed only with `dropLegacyMap: true` (`migrate --drop-legacy-map`).
 */
export class Migration20261125000200_drop_legacy_user_ids extends Migration {
  override up(): void {
    this.addSql('DROP TABLE IF EXISTS legacy_user_ids');
  }

  override down(): void {
    throw new Error('legacy_user_ids cannot be rebuilt once dropped: the old ids are gone');
  }
}
