export { type ConnectRedisOptions, connectRedis } from './connectRedis.js';
export {
  createRedisClient,
  parseClusterNodes,
  type RedisClient,
  type RedisClientOptions,
  type RedisTarget,
  redisMasters,
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
} from './keyLayout.js';
export {
  createRateLimiter,
  type RateLimitDecision,
  type RateLimiter,
  type RateLimitRule,
} from './rateLimiter.js';
export {
  type RemoveLegacyKeysOptions,
  type RemoveLegacyKeysReport,
  removeLegacyKeys,
} from './removeLegacyKeys.js';
export { scanKeys } from './scanKeys.js';
export {
  createSessionStore,
  type IssuedSession,
  type Session,
  type SessionMeta,
  type SessionStore,
  type SessionStoreOptions,
} from './sessionStore.js';
export { hashSessionToken, isSessionTokenShape } from './sessionToken.js';
