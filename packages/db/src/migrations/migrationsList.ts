import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261125000000_legacy_schema } from './Migration20261125000000_legacy_schema.js';
import { Migration20261125000100_uuidv6_cutover } from './Migration20261125000100_uuidv6_cutover.js';
import { Migration20261125000200_drop_legacy_user_ids } from './Migration20261125000200_drop_legacy_user_ids.js';

export const LEGACY_SCHEMA_MIGRATION = 'Migration20261125000000_legacy_schema';
export const CUTOVER_MIGRATION = 'Migration20261125000100_uuidv6_cutover';
export const DROP_LEGACY_MAP_MIGRATION = 'Migration20261125000200_drop_legacy_user_ids';

/** Every migration name, in order, including the opt-in drop of the mapping table. */
export const MIGRATION_NAMES = [
  LEGACY_SCHEMA_MIGRATION,
  CUTOVER_MIGRATION,
  DROP_LEGACY_MAP_MIGRATION,
] as const;

/** The migrations in order. The drop of `legacy_user_ids` is listed only when asked for explicitly. */
export function migrationsList(options: { dropLegacyMap: boolean }): MigrationObject[] {
  const list: MigrationObject[] = [
    { name: LEGACY_SCHEMA_MIGRATION, class: Migration20261125000000_legacy_schema },
    { name: CUTOVER_MIGRATION, class: Migration20261125000100_uuidv6_cutover },
  ];
  if (options.dropLegacyMap) {
    list.push({ name: DROP_LEGACY_MAP_MIGRATION, class: Migration20261125000200_drop_legacy_user_ids });
  }
  return list;
}
