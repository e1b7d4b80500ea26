export { deleteKeysWithPrefix } from './deleteKeysWithPrefix.js';
export { type SeedLegacyKeysOptions, seedLegacyKeys } from './seedLegacyKeys.js';
