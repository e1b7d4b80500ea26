export { deleteKeysWithPrefix } from './deleteKeysWithPrefix.js';
export { redisSnapshot } from './redisSnapshot.js';
export { type SeedLegacyKeysOptions, seedLegacyKeys } from './seedLegacyKeys.js';
export {
  type RedisClusterHandle,
  type StartRedisClusterOptions,
  startRedisCluster,
} from './startRedisCluster.js';
export { withRedisCluster } from './withRedisCluster.js';
