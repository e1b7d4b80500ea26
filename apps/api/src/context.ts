import type { Orm, UserId } from '@org/db';
import type { JobProducer } from '@org/jobs';
import type { RateLimiter, RedisClient, SessionStore } from '@org/sessions';
import type { BackgroundTasks } from './backgroundTasks.js';
import type { AppConfig } from './config.js';
import type { Kdf } from './passwords/kdf.js';

/** The connections and settings every route works with; built once by `buildApp`. */
export interface AppContext {
  orm: Orm;
  /** One Redis or a Redis Cluster. */
  redis: RedisClient;
  sessions: SessionStore<UserId>;
  limiter: RateLimiter;
  jobs: Pick<JobProducer, 'enqueue'>;
  config: AppConfig;
  /** Every scrypt and PBKDF2 derivation goes through it (tests count them). */
  kdf: Kdf;
  /** Work routes start after their answer (the app's close waits for it). */
  background: BackgroundTasks;
}

/** A request-scoped entity manager; every handler takes its own so identity maps never leak across requests. */
export function emFor(ctx: AppContext) {
  return ctx.orm.em.fork();
}

export type Em = ReturnType<typeof emFor>;
