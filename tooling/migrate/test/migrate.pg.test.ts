import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { initOrm } from '@org/db';
import { createTestDatabase, seedLegacyData, type TestDatabase } from '@org/db/testing';
import { deleteKeysWithPrefix, seedLegacyKeys } from '@org/sessions/testing';
import { seedLegacyJobs } from '@org/worker';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const stem = `migrate-test-${randomBytes(4).toString('hex')}`;
const keyPrefix = `${stem}:`;
const queuePrefix = `${stem}-bull`;
const USERS = 300;

interface Summary {
  complete: boolean;
  dryRun: boolean;
  steps: { step: string; status: string; counts?: Record<string, number>; summary?: string }[];
}

let db: TestDatabase;
const redis = new Redis(REDIS_URL);

/** `pnpm migrate --json` from the repository root, as a team runs it. */
async function pnpmMigrate(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout } = await promisify(execFile)('pnpm', ['migrate', '--json', ...args], {
      cwd: repoRoot,
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        REDIS_URL,
        REDIS_KEY_PREFIX: keyPrefix,
        LEGACY_KEY_PREFIX: keyPrefix,
        QUEUE_PREFIX: queuePrefix,
        ...env,
      },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, summary: JSON.parse(stdout) as Summary };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    if (!failed.stdout) throw new Error(`pnpm migrate printed no summary:\n${failed.stderr}`);
    return { code: failed.code, summary: JSON.parse(failed.stdout) as Summary };
  }
}

const statuses = (summary: Summary) => Object.fromEntries(summary.steps.map((s) => [s.step, s.status]));
const legacyKeyCount = async () => {
  let count = 0;
  for (const pattern of ['session:*', 'user_tokens:*']) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}${pattern}`, 'COUNT', 1000);
      cursor = next;
      count += keys.length;
    } while (cursor !== '0');
  }
  return count;
};
const tableType = async () => {
  const orm = await initOrm({ clientUrl: db.url, poolMax: 1 });
  try {
    const [row] = await orm.em
      .getConnection()
      .execute<{ data_type: string }[]>(
        `SELECT data_type FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'id'`,
      );
    return row?.data_type;
  } finally {
    await orm.close(true);
  }
};

beforeAll(async () => {
  db = await createTestDatabase({ state: 'legacy' });
  await seedLegacyData(db.url, { users: USERS });
  await seedLegacyKeys(redis, { userIds: Array.from({ length: USERS }, (_, i) => i + 1), keyPrefix });
  await seedLegacyJobs({
    redis,
    prefix: queuePrefix,
    legacyUserIds: Array.from({ length: USERS }, (_, i) => i + 1),
    count: 100,
  });
});

afterAll(async () => {
  await deleteKeysWithPrefix(redis, keyPrefix);
  await deleteKeysWithPrefix(redis, `${queuePrefix}:`);
  redis.disconnect();
  await db?.drop();
});

describe('pnpm migrate (the whole cutover through turbo)', () => {
  it('plans every step in a dry run, with a lock-time estimate, and changes nothing', async () => {
    const { code, summary } = await pnpmMigrate(['--dry-run']);
    expect(summary.dryRun).toBe(true);
    expect(statuses(summary)).toEqual({ database: 'planned', sessions: 'planned', jobs: 'planned' });
    expect(code).toBe(0);
    expect(summary.steps[0]?.counts).toMatchObject({ users: USERS, estimatedLockMs: expect.any(Number) });
    expect(summary.steps[1]?.counts).toMatchObject({ removed: 3 * USERS });
    expect(summary.steps[2]?.counts).toMatchObject({ found: 100 });
    expect(await tableType()).toBe('integer');
    expect(await legacyKeyCount()).toBe(3 * USERS);
  });

  it('stops after the database step when Redis is unreachable and says the cutover is not complete', async () => {
    const { code, summary } = await pnpmMigrate([], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(code).toBe(1);
    expect(summary.complete).toBe(false);
    expect(summary.steps[0]).toMatchObject({ step: 'database', status: 'done' });
    expect(summary.steps.slice(1).map((s) => s.status)).not.toContain('done');
    expect(await tableType()).toBe('uuid');
    expect(await legacyKeyCount()).toBe(3 * USERS);
  });

  it('completes the remaining steps when run again, then is a no-op', async () => {
    const second = await pnpmMigrate([]);
    expect(statuses(second.summary)).toEqual({ database: 'already-done', sessions: 'done', jobs: 'done' });
    expect(second.summary.complete).toBe(true);
    expect(second.code).toBe(0);
    expect(second.summary.steps[1]?.counts).toMatchObject({ removed: 3 * USERS });
    expect(second.summary.steps[2]?.counts).toMatchObject({ found: 100 });
    expect(await legacyKeyCount()).toBe(0);

    const third = await pnpmMigrate([]);
    expect(third.code).toBe(0);
    expect(third.summary.complete).toBe(true);
    expect(statuses(third.summary).database).toBe('already-done');
    expect(third.summary.steps[1]?.counts).toMatchObject({ removed: 0 });
    expect(third.summary.steps[2]?.counts).toMatchObject({ found: 0 });
  });
});
