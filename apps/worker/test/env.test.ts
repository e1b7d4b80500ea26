import { EnvError } from '@org/cli';
import { describe, expect, it } from 'vitest';
import { parseEnv } from '../src/env.js';

describe('parseEnv', () => {
  it('has local defaults: file transport, local Redis and PostgreSQL', () => {
    expect(parseEnv({})).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:6379',
      MAIL_TRANSPORT: 'file',
      MAIL_DIR: '.demo/mail',
      QUEUE_PREFIX: 'bull',
      SHUTDOWN_TIMEOUT_MS: 10_000,
      SMTP_SECURE: false,
    });
  });

  it('parses numbers and booleans, and treats empty strings as unset', () => {
    const env = parseEnv({ WORKER_CONCURRENCY: '3', SMTP_SECURE: 'true', MAIL_DIR: '', SMTP_PORT: '2525' });
    expect(env).toMatchObject({
      WORKER_CONCURRENCY: 3,
      SMTP_SECURE: true,
      MAIL_DIR: '.demo/mail',
      SMTP_PORT: 2525,
    });
  });

  it('reads REDIS_CLUSTER_NODES; the queue prefix is {bull} there, and one without a hash tag is refused', () => {
    const cluster = { REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1:7001' };
    expect(parseEnv({})).toMatchObject({ REDIS_CLUSTER_NODES: [], QUEUE_PREFIX: 'bull' });
    expect(parseEnv(cluster)).toMatchObject({
      REDIS_CLUSTER_NODES: ['127.0.0.1:7000', '127.0.0.1:7001'],
      QUEUE_PREFIX: '{bull}',
    });
    expect(parseEnv({ ...cluster, QUEUE_PREFIX: '{app}' }).QUEUE_PREFIX).toBe('{app}');
    expect(() => parseEnv({ ...cluster, QUEUE_PREFIX: 'app' })).toThrow(/QUEUE_PREFIX: .*no \{hash tag\}/);
    expect(() => parseEnv({ REDIS_CLUSTER_NODES: 'nope' })).toThrow(
      /REDIS_CLUSTER_NODES: "nope" is not host:port/,
    );
  });

  it('reads DATABASE_URL="" as unset, like the api and the migrate task', () => {
    expect(parseEnv({ DATABASE_URL: '' }).DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/postgres');
    expect(() => parseEnv({ DATABASE_URL: 'mysql://db/app' })).toThrow(
      'DATABASE_URL: must be a postgres:// or postgresql:// URL',
    );
  });

  it('names every bad variable', () => {
    expect(() => parseEnv({ REDIS_URL: 'nope', WORKER_CONCURRENCY: '0', MAIL_TRANSPORT: 'pigeon' })).toThrow(
      EnvError,
    );
    expect(() => parseEnv({ REDIS_URL: 'nope', WORKER_CONCURRENCY: '0' })).toThrow(
      /REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL\n {2}WORKER_CONCURRENCY: /,
    );
  });

  it('requires SMTP_HOST for the SMTP transport, and a {token} placeholder in link templates', () => {
    expect(() => parseEnv({ MAIL_TRANSPORT: 'smtp' })).toThrow(
      'SMTP_HOST: SMTP_HOST is required when MAIL_TRANSPORT=smtp',
    );
    expect(parseEnv({ MAIL_TRANSPORT: 'smtp', SMTP_HOST: 'mail.example.test' }).SMTP_HOST).toBe(
      'mail.example.test',
    );
    expect(() => parseEnv({ VERIFY_EMAIL_URL: 'https://app.example.test/verify' })).toThrow(
      /VERIFY_EMAIL_URL/,
    );
  });
});
