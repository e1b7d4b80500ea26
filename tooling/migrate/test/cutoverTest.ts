import { randomBytes } from 'node:crypto';
import { captureIo } from '@org/cli/testing';
import { initOrm } from '@org/db';
import { createTestDatabase, seedLegacyData, type TestDatabase } from '@org/db/testing';
import { seedLegacyJobs } from '@org/jobs/testing';
import { createRedisClient, type RedisClient, type RedisTarget } from '@org/sessions';
import { deleteKeysWithPrefix, seedLegacyKeys } from '@org/sessions/testing';
import { test as base } from 'vitest';
import { runMigrate } from '../src/runMigrate.js';
import type { MigrateSummary } from '../src/StepReport.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const USERS = 300;
export const LEGACY_JOBS = 100;

export interface LegacySystem {
  readonly database: TestDatabase;
  readonly redis: RedisClient;
  /** Every key this file writes starts with it. */
  readonly stem: string;
  /** What `pnpm migrate` reads: this file's database, Redis key prefix and queue prefix. */
  readonly env: Record<string, string>;
}

/**
 * A vitest `test` with one legacy system per test file, as fixture: a database of its own with the legacy
 * schema and USERS users, their legacy Redis sessions and token sets (3 keys a user) and LEGACY_JOBS queued
 * legacy jobs, all under a random stem, on one Redis or (given `clusterNodes`) a Redis Cluster, where the queue
 * prefix carries a hash tag; dropped and removed afterwards. Tests of one file share it and run in order.
 */
export function legacySystemTest(target: RedisTarget = { url: REDIS_URL }) {
  const onCluster = (target.clusterNodes ?? []).length > 0;
  return base.extend(
    'legacy',
    { scope: 'file' },
    // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
    async ({}, { onCleanup }): Promise<LegacySystem> => {
      const database = await createTestDatabase({ state: 'legacy' });
      const redis = createRedisClient(target);
      const stem = `migrate-test-${randomBytes(4).toString('hex')}`;
      const queuePrefix = onCluster ? `{${stem}}-bull` : `${stem}-bull`;
      onCleanup(async () => {
        await deleteKeysWithPrefix(redis, `${stem}:`);
        await deleteKeysWithPrefix(redis, `${queuePrefix}:`);
        redis.disconnect();
        await database.drop();
      });
      const legacyUserIds = Array.from({ length: USERS }, (_, i) => i + 1);
      await seedLegacyData(database.url, { users: USERS });
      await seedLegacyKeys(redis, { userIds: legacyUserIds, keyPrefix: `${stem}:` });
      await seedLegacyJobs({ redis, prefix: queuePrefix, legacyUserIds, count: LEGACY_JOBS });
      const env = {
        DATABASE_URL: database.url,
        REDIS_URL: target.url,
        REDIS_CLUSTER_NODES: (target.clusterNodes ?? []).join(','),
        LEGACY_KEY_PREFIX: `${stem}:`,
        QUEUE_PREFIX: queuePrefix,
        NO_COLOR: '1',
      };
      return { database, redis, stem, env };
    },
  );
}

/** `legacySystemTest` on the one Redis at REDIS_URL. */
export const cutoverTest = legacySystemTest();

/** The type of `users.id`: `integer` before the database step, `uuid` after. */
export async function usersIdType(databaseUrl: string): Promise<string | undefined> {
  const orm = await initOrm({ clientUrl: databaseUrl, poolMax: 1 });
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
}

/** Each table of the public schema with a hash of all its rows: equal before and after = nothing written. */
export async function databaseContents(databaseUrl: string): Promise<Record<string, string>> {
  const orm = await initOrm({ clientUrl: databaseUrl, poolMax: 1 });
  const sql = <T>(query: string) => orm.em.getConnection().execute<T[]>(query, [], 'all');
  try {
    const contents: Record<string, string> = {};
    for (const { tablename } of await sql<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
    )) {
      const [row] = await sql<{ h: string }>(
        `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS h FROM "${tablename}" t`,
      );
      contents[tablename] = row?.h ?? '';
    }
    return contents;
  } finally {
    await orm.close(true);
  }
}

/** `pnpm migrate` in this process with `env`; `summary` is the parsed `--json` output when asked for. */
export async function migrateIn(env: Record<string, string>, ...argv: string[]) {
  const io = captureIo({ env });
  const code = await runMigrate(argv, io);
  const summary = argv.includes('--json') ? (JSON.parse(io.out()) as MigrateSummary) : undefined;
  return { code, summary, out: io.out(), err: io.err() };
}

/** Each step's status by name. */
export function statusesOf(summary: MigrateSummary | undefined): Record<string, string> {
  return Object.fromEntries((summary?.steps ?? []).map((report) => [report.step, report.status]));
}
