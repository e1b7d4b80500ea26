export { type ConnectRedisOptions, connectRedis } from './connectRedis.js';
export {
  createRedisClient,
  parseClusterNodes,
  type RedisClient,
  type RedisClientOptions,
  type RedisTarget,
  redisMasters,
  unlinkKeys,
} from './createRedisClient.js';
export {
  RedisConfigError,
  RedisUnreachableError,
  SessionConfigError,
  SessionStoreUnavailableError,
} from './errors.js';
export { formatRemoveLegacyKeysReport } from './formatRemoveLegacyKeysReport.js';
export {
  createKeyLayout,
  escapeGlob,
  KEY_LAYOUT_VERSION,
  KEY_NAMESPACE,
  type KeyLayout,
  LEGACY_KEY_PATTERNS,
  USER_TAG_LENGTH,
  userTag,
} from './keyLayout.js';
export {
  createRateLimiter,
  type RateLimitDecision,
  type RateLimiter,
  type RateLimitRule,
} from './rateLimiter.js';
export { RedisClusterNodesField } from './redisEnvFields.js';
export {
  type NodeRemovalReport,
  type RemoveLegacyKeysOptions,
  type RemoveLegacyKeysReport,
  removeLegacyKeys,
} from './removeLegacyKeys.js';
export { type NodeKeyBatch, scanKeys, scanKeysByNode } from './scanKeys.js';
export {
  createSessionStore,
  type IssuedSession,
  type Session,
  type SessionMeta,
  type SessionStore,
  type SessionStoreOptions,
} from './sessionStore.js';
export { hashSessionToken, isSessionTokenShape } from './sessionToken.js';
