import { Migrator } from '@mikro-orm/migrations';
import {
  AccountDeletion,
  SocialAccount,
  User,
  UserExport,
  UserProfile,
  VerificationToken,
} from './entities/index.js';
import { migrationsList } from './migrations/migrationsList.js';

/** Tables in the database that the entities deliberately do not model. */
export const UNMODELLED_TABLES = ['legacy_user_ids', 'mikro_orm_migrations'] as const;

export interface SharedOrmOptions {
  /** Log every query MikroORM runs. */
  readonly debug?: boolean;
  /** Also list the migration that drops `legacy_user_ids` (off by default: it is an explicit step). */
  readonly dropLegacyMap?: boolean;
}

/** The options both drivers share: entities, the hand-written migrations, and the schema-diff scope. */
export function sharedOrmOptions(options: SharedOrmOptions) {
  return {
    entities: [User, UserProfile, VerificationToken, SocialAccount, UserExport, AccountDeletion],
    extensions: [Migrator],
    debug: options.debug ?? false,
    // A typo in DATABASE_URL must be an error naming the database, never a new empty database.
    ensureDatabase: false,
    allowGlobalContext: false,
    migrations: {
      migrationsList: migrationsList({ dropLegacyMap: options.dropLegacyMap ?? false }),
      tableName: 'mikro_orm_migrations',
      snapshot: false,
      transactional: true,
      allOrNothing: true,
      silent: true,
    },
    schemaGenerator: {
      skipTables: [...UNMODELLED_TABLES],
    },
  };
}
