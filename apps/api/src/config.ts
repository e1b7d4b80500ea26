import type { RateLimitRule } from '@org/sessions';
import type { Env } from './env.js';
import { DEFAULT_SCRYPT_PARAMS, type ScryptParams } from './passwords/scryptParams.js';
import type { TrustProxy } from './trustProxy.js';

export type RateLimitBucket =
  | 'login'
  | 'loginEmail'
  | 'register'
  | 'verify'
  | 'resend'
  | 'resendCooldown'
  | 'passwordReset'
  | 'passwordChange'
  | 'export'
  | 'accountDeletion';

/** What `buildApp` needs to know besides its connections; `defaultConfig` is the production choice. */
export interface AppConfig {
  keyPrefix: string;
  session: { idleTtlSeconds: number; absoluteTtlSeconds: number; cookieSecure: boolean };
  tokens: { verificationTtlSeconds: number; passwordResetTtlSeconds: number };
  rateLimits: Record<RateLimitBucket, RateLimitRule>;
  password: ScryptParams;
  /** PBKDF2 iterations every login pays (see `verifyLogin`); at least those of the stored legacy hashes. */
  legacyPbkdf2Iterations: number;
  bodyLimitBytes: number;
  /** Which `X-Forwarded-For` entries to believe (see `parseTrustProxy`). */
  trustProxy: TrustProxy;
  /** How long a request waits for Redis to confirm a queued email before it goes on (the outcome is logged). */
  jobs: { enqueueTimeoutMs: number };
  /** Deadlines for receiving a request (Node's `headersTimeout` and `requestTimeout`); 408 after them. */
  http: { headersTimeoutMs: number; requestTimeoutMs: number };
  /** How long an export can be fetched; how long a deleted account can be restored before the worker deletes it. */
  account: { exportTtlSeconds: number; deletionGraceSeconds: number };
}

export const DEFAULT_RATE_LIMITS: Record<RateLimitBucket, RateLimitRule> = {
  resendCooldown: { limit: 1, windowSeconds: 60 },
  login: { limit: 20, windowSeconds: 60 },
  loginEmail: { limit: 10, windowSeconds: 15 * 60 },
  register: { limit: 10, windowSeconds: 60 * 60 },
  verify: { limit: 20, windowSeconds: 60 },
  resend: { limit: 10, windowSeconds: 60 * 60 },
  passwordReset: { limit: 10, windowSeconds: 60 * 60 },
  passwordChange: { limit: 10, windowSeconds: 15 * 60 },
  // Per user: each export reads the whole account and stores an archive.
  export: { limit: 3, windowSeconds: 60 * 60 },
  // Per user, like a login's per-address limit: the password is checked here.
  accountDeletion: { limit: 10, windowSeconds: 15 * 60 },
};

/** The config for a validated environment. */
export function configFromEnv(env: Env): AppConfig {
  return {
    keyPrefix: env.REDIS_KEY_PREFIX,
    session: {
      idleTtlSeconds: env.SESSION_IDLE_TTL_SECONDS,
      absoluteTtlSeconds: env.SESSION_ABSOLUTE_TTL_SECONDS,
      cookieSecure: env.COOKIE_SECURE,
    },
    tokens: {
      verificationTtlSeconds: env.VERIFICATION_TOKEN_TTL_SECONDS,
      passwordResetTtlSeconds: env.PASSWORD_RESET_TTL_SECONDS,
    },
    rateLimits: {
      ...DEFAULT_RATE_LIMITS,
      resendCooldown: { limit: 1, windowSeconds: env.RESEND_COOLDOWN_SECONDS },
    },
    password: DEFAULT_SCRYPT_PARAMS,
    legacyPbkdf2Iterations: env.LEGACY_PBKDF2_ITERATIONS,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    trustProxy: env.TRUST_PROXY,
    jobs: { enqueueTimeoutMs: env.ENQUEUE_TIMEOUT_MS },
    http: { headersTimeoutMs: env.HEADERS_TIMEOUT_MS, requestTimeoutMs: env.REQUEST_TIMEOUT_MS },
    account: {
      exportTtlSeconds: env.EXPORT_TTL_SECONDS,
      deletionGraceSeconds: env.ACCOUNT_DELETION_GRACE_SECONDS,
    },
  };
}
