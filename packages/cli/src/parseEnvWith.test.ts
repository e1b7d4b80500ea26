import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EnvError } from './EnvError.js';
import { DatabaseUrlField, DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, RedisUrlField } from './envFields.js';
import { parseEnvWith } from './parseEnvWith.js';

const Schema = z.object({
  DATABASE_URL: DatabaseUrlField,
  REDIS_URL: RedisUrlField,
  NAME: z.string().min(1),
});
const parse = (source: Record<string, string | undefined>) => parseEnvWith(Schema, source, 'test');

describe('parseEnvWith and the shared URL fields', () => {
  it('reads unset and empty variables alike: the default', () => {
    const expected = { DATABASE_URL: DEFAULT_DATABASE_URL, REDIS_URL: DEFAULT_REDIS_URL, NAME: 'x' };
    expect(parse({ NAME: 'x' })).toEqual(expected);
    expect(parse({ NAME: 'x', DATABASE_URL: '', REDIS_URL: '' })).toEqual(expected);
  });

  it('accepts postgres:// and postgresql://, redis:// and rediss://', () => {
    expect(
      parse({ NAME: 'x', DATABASE_URL: 'postgresql://u:p@db:5432/app', REDIS_URL: 'rediss://r:6380' }),
    ).toMatchObject({ DATABASE_URL: 'postgresql://u:p@db:5432/app', REDIS_URL: 'rediss://r:6380' });
  });

  it('reports every bad variable at once in an EnvError', () => {
    let error: unknown;
    try {
      parse({ DATABASE_URL: 'mysql://localhost/app', REDIS_URL: 'http://r' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EnvError);
    expect((error as EnvError).code).toBe('ENV_INVALID');
    expect((error as EnvError).problems).toEqual([
      'DATABASE_URL: must be a postgres:// or postgresql:// URL',
      'REDIS_URL: must be a redis:// or rediss:// URL',
      expect.stringMatching(/^NAME: /),
    ]);
    expect((error as EnvError).message).toMatch(/^invalid test environment:\n {2}DATABASE_URL/);
  });
});
