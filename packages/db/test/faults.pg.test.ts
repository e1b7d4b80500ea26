import { describe, expect, it } from 'vitest';
import { ACCOUNT_LIFECYCLE_MIGRATION, CUTOVER_MIGRATION, runMigrations } from '../src/index.js';
import { databaseFingerprint } from './support/databaseFingerprint.js';
import { MIGRATE_TEST_TIMEOUT_MS, spawnMigrate, waitForOtherSessionsToEnd } from './support/spawnMigrate.js';
import { testDatabasePerTest } from './support/testDatabasePerTest.js';

const databases = testDatabasePerTest();

// Each line is printed just before the step's SQL is sent, so the kill lands inside the cutover transaction.
const KILL_POINTS = [
  'compute keys before the locks...',
  'locks held on users',
  'map user ids...',
  'convert users...',
  'convert verification_tokens...',
  'keys and indexes...',
  'foreign keys...',
];

describe('the migrate process killed during the cutover', () => {
  for (const point of KILL_POINTS) {
    it(
      `at "${point}" leaves the legacy schema and data intact, and the next run completes`,
      async () => {
        const { db, orm } = await databases.open('legacy', 10_000);
        const before = await databaseFingerprint(orm);

        const migrate = spawnMigrate([], { DATABASE_URL: db.url });
        await migrate.waitForLine(point);
        migrate.child.kill('SIGKILL');
        expect((await migrate.exited).signal).toBe('SIGKILL');

        await waitForOtherSessionsToEnd(orm);
        expect(await databaseFingerprint(orm)).toEqual(before);

        const report = await runMigrations(orm);
        expect(report.applied).toEqual([CUTOVER_MIGRATION, ACCOUNT_LIFECYCLE_MIGRATION]);
        expect(report.cutover?.rowCounts.users).toEqual({ before: 10_000, after: 10_000 });
        expect(report.cutover?.rowCounts.verification_tokens).toEqual({ before: 20_000, after: 20_000 });
      },
      MIGRATE_TEST_TIMEOUT_MS,
    );
  }
});
