export type { AnyOrm } from './AnyOrm.js';
export {
  type CutoverConfig,
  type CutoverConfigInput,
  CutoverConfigSchema,
  parseCutoverConfig,
} from './cutover/CutoverConfig.js';
export type { CutoverProgress, CutoverReport, CutoverStep } from './cutover/CutoverReport.js';
export { formatCutoverReport } from './cutover/CutoverReport.js';
export { type CutoverPlan, formatCutoverPlan, type PlannedTable } from './cutover/describeCutoverPlan.js';
export {
  AccountDeletion,
  EMAIL_MATCHES_SQL,
  EXPORT_STATUSES,
  type ExportStatus,
  SocialAccount,
  TOKEN_PURPOSES,
  type TokenPurpose,
  User,
  UserExport,
  UserProfile,
  VerificationToken,
} from './entities/index.js';
export {
  ConversionError,
  CutoverConfigError,
  CutoverRefusedError,
  DatabaseAuthError,
  DatabaseMissingError,
  DatabaseUnreachableError,
  DbError,
  LegacyMapMissingError,
  LockTimeoutError,
  PreflightError,
  type PreflightProblem,
  type Refusal,
  SchemaMismatchError,
  UnknownMigrationError,
  UsersTableNotFoundError,
  VerificationError,
} from './errors.js';
export { formatMigrationRunReport } from './formatMigrationRunReport.js';
export {
  type ExportId,
  ExportIds,
  type ExportSlug,
  type ProfileId,
  ProfileIds,
  type SocialAccountId,
  SocialAccountIds,
  type TokenId,
  TokenIds,
  type UserId,
  UserIds,
  type UserSlug,
} from './idKinds.js';
export { type InitOrmOptions, initOrm, type Orm } from './initOrm.js';
export { type InitPgliteOrmOptions, initPgliteOrm, type PgliteOrm } from './initPgliteOrm.js';
export {
  ACCOUNT_LIFECYCLE_MIGRATION,
  CUTOVER_MIGRATION,
  DROP_LEGACY_MAP_MIGRATION,
  LEGACY_SCHEMA_MIGRATION,
} from './migrations/migrationsList.js';
export { type MigrationRunReport, type RunMigrationsOptions, runMigrations } from './runMigrations.js';
export { mappableLegacyUserIds, translateLegacyUserIds } from './translateLegacyUserIds.js';
