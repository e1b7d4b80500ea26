import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125000000_legacy_schema } from './Migration20261125000000_legacy_schema.js';
import { Migration20261125000100_uuidv6_cutover } from './Migration20261125000100_uuidv6_cutover.js';
import { Migration20261125000200_drop_legacy_user_ids } from './Migration20261125000200_drop_legacy_user_ids.js';
import { Migration20261202000000_account_lifecycle } from './Migration20261202000000_account_lifecycle.js';

export const LEGACY_SCHEMA_MIGRATION = 'Migration20261125000000_legacy_schema';
export const CUTOVER_MIGRATION = 'Migration20261125000100_uuidv6_cutover';
export const DROP_LEGACY_MAP_MIGRATION = 'Migration20261125000200_drop_legacy_user_ids';
export const ACCOUNT_LIFECYCLE_MIGRATION = 'Migration20261202000000_account_lifecycle';

/** Every migration name, in order, including the opt-in drop of the mapping table. */
export const MIGRATION_NAMES = [
  LEGACY_SCHEMA_MIGRATION,
  CUTOVER_MIGRATION,
  DROP_LEGACY_MAP_MIGRATION,
  ACCOUNT_LIFECYCLE_MIGRATION,
] as const;

/**
 * The migrations in order. The drop of `legacy_user_ids` is listed only when asked for explicitly; the ones
 * after it do not depend on it (each runs by name, so a database that applied them first can still opt in).
 */
export function migrationsList(options: { dropLegacyMap: boolean }): MigrationObject[] {
  const list: MigrationObject[] = [
    { name: LEGACY_SCHEMA_MIGRATION, class: Migration20261125000000_legacy_schema },
    { name: CUTOVER_MIGRATION, class: Migration20261125000100_uuidv6_cutover },
  ];
  if (options.dropLegacyMap) {
    list.push({ name: DROP_LEGACY_MAP_MIGRATION, class: Migration20261125000200_drop_legacy_user_ids });
  }
  list.push({ name: ACCOUNT_LIFECYCLE_MIGRATION, class: Migration20261202000000_account_lifecycle });
  return list;
}
