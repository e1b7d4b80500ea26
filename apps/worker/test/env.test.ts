import { describe, expect, it } from 'vitest';
import { EnvError, loadEnv } from '../src/env.js';

describe('loadEnv', () => {
  it('has local defaults: file transport, local Redis and PostgreSQL', () => {
    expect(loadEnv({})).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:6379',
      MAIL_TRANSPORT: 'file',
      MAIL_DIR: '.demo/mail',
      QUEUE_PREFIX: 'bull',
      SHUTDOWN_TIMEOUT_MS: 10_000,
      SMTP_SECURE: false,
    });
  });

  it('parses numbers and booleans, and treats empty strings as unset', () => {
    const env = loadEnv({ WORKER_CONCURRENCY: '3', SMTP_SECURE: 'true', MAIL_DIR: '', SMTP_PORT: '2525' });
    expect(env).toMatchObject({
      WORKER_CONCURRENCY: 3,
      SMTP_SECURE: true,
      MAIL_DIR: '.demo/mail',
      SMTP_PORT: 2525,
    });
  });

  it('names every bad variable', () => {
    expect(() => loadEnv({ REDIS_URL: 'nope', WORKER_CONCURRENCY: '0', MAIL_TRANSPORT: 'pigeon' })).toThrow(
      EnvError,
    );
    expect(() => loadEnv({ REDIS_URL: 'nope', WORKER_CONCURRENCY: '0' })).toThrow(
      /REDIS_URL: .*WORKER_CONCURRENCY: /,
    );
  });

  it('requires SMTP_HOST for the SMTP transport, and a {token} placeholder in link templates', () => {
    expect(() => loadEnv({ MAIL_TRANSPORT: 'smtp' })).toThrow(
      'SMTP_HOST: SMTP_HOST is required when MAIL_TRANSPORT=smtp',
    );
    expect(loadEnv({ MAIL_TRANSPORT: 'smtp', SMTP_HOST: 'mail.example.test' }).SMTP_HOST).toBe(
      'mail.example.test',
    );
    expect(() => loadEnv({ VERIFY_EMAIL_URL: 'https://app.example.test/verify' })).toThrow(
      /VERIFY_EMAIL_URL/,
    );
  });
});
