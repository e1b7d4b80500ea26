import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { deleteKeysWithPrefix, seedLegacyKeys } from '@org/sessions/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REDIS_URL } from './testApp.js';

const run = promisify(execFile);
const cwd = fileURLToPath(new URL('..', import.meta.url));
const redis = new Redis(REDIS_URL);
let prefix: string;

beforeEach(() => {
  prefix = `test-${randomUUID()}:`;
});
afterEach(() => deleteKeysWithPrefix(redis, prefix));
afterAll(() => redis.quit());

async function migrate(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', '--conditions=@org/source', 'src/cli/migrate.ts', ...args],
      {
        cwd,
        env: { ...process.env, REDIS_URL, REDIS_KEY_PREFIX: prefix, LEGACY_KEY_PREFIX: prefix, ...env },
      },
    );
    return { code: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('pnpm migrate (Redis cutover step)', () => {
  it('removes every legacy key, reports the count, leaves other keys alone, and is safe to rerun', async () => {
    const { sessionKeys, tokenKeys } = await seedLegacyKeys(redis, {
      userIds: Array.from({ length: 300 }, (_, i) => i + 1),
      keyPrefix: prefix,
    });
    const survivors = [
      `${prefix}sess:v2:s:abc`,
      `${prefix}bull:jobs:1`,
      `${prefix}sessions:9`,
      `${prefix}user_tokens`,
    ];
    for (const key of survivors) await redis.set(key, 'keep');

    const dry = await migrate(['--dry-run', '--json']);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ ok: true, dryRun: true, removed: 900 });
    expect(await redis.exists(...sessionKeys)).toBe(600);

    const first = await migrate(['--json', '--batch-size', '100']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      step: 'api:redis-legacy-keys',
      ok: true,
      dryRun: false,
      removed: sessionKeys.length + tokenKeys.length,
      byPattern: { 'session:*': 600, 'user_tokens:*': 300 },
    });
    expect(await redis.exists(...sessionKeys, ...tokenKeys)).toBe(0);
    expect(await redis.exists(...survivors)).toBe(survivors.length);

    const second = await migrate([]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/removed 0 legacy keys/);
  });

  it('fails with exit code 1 and a clear message when Redis is unreachable', async () => {
    const res = await migrate(['--json'], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stdout)).toMatchObject({ ok: false, error: expect.any(String) });
  });

  it('rejects a bad batch size', async () => {
    const res = await migrate(['--batch-size', 'lots']);
    expect(res.code).toBe(2);
  });
});
