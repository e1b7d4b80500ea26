export {
  type CreateTestDatabaseOptions,
  createTestDatabase,
  type TestDatabase,
} from './createTestDatabase.js';
export {
  legacyPasswordHash,
  SEED_PASSWORD,
  SEED_PASSWORD_HASH,
  type SeededCounts,
  type SeedLegacyDataOptions,
  seedLegacyData,
} from './seedLegacyData.js';
