import { join } from 'node:path';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * The environment for one test's api and worker, isolated by `stem`: its own database, Redis key prefix
 * (`<stem>:`), queue prefix (`<stem>-bull`), and mail and export folders under `tempDir`.
 */
export function isolatedAppEnv(options: {
  databaseUrl: string;
  stem: string;
  tempDir: string;
  port: number;
}): Record<string, string> {
  return {
    DATABASE_URL: options.databaseUrl,
    REDIS_URL,
    REDIS_KEY_PREFIX: `${options.stem}:`,
    QUEUE_PREFIX: `${options.stem}-bull`,
    PORT: String(options.port),
    COOKIE_SECURE: 'false',
    MAIL_DIR: join(options.tempDir, 'mail'),
  };
}
