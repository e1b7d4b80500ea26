export { deleteKeysWithPrefix } from './deleteKeysWithPrefix.js';
export { redisSnapshot } from './redisSnapshot.js';
export { type SeedLegacyKeysOptions, seedLegacyKeys } from './seedLegacyKeys.js';
