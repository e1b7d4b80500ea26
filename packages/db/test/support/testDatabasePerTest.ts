import { afterEach } from 'vitest';
import { initOrm, type Orm } from '../../src/index.js';
import {
  type CreateTestDatabaseOptions,
  createTestDatabase,
  seedLegacyData,
  type TestDatabase,
} from '../../src/testing/index.js';

export interface OpenTestDatabase {
  readonly db: TestDatabase;
  readonly orm: Orm;
}

/**
 * One database for each test of the calling file: `open(state)` creates it with an ORM on it, and
 * `legacy(users)` one in the legacy schema seeded with that many users. Whatever a test opened is closed and
 * dropped after it, whether or not it passed.
 */
export function testDatabasePerTest() {
  let current: { db: TestDatabase; orm?: Orm } | undefined;
  afterEach(async () => {
    const opened = current;
    current = undefined;
    await opened?.orm?.close(true);
    await opened?.db.drop();
  });
  const open = async (state: NonNullable<CreateTestDatabaseOptions['state']>, users = 0) => {
    const opened: { db: TestDatabase; orm?: Orm } = { db: await createTestDatabase({ state }) };
    current = opened;
    if (users > 0) await seedLegacyData(opened.db.url, { users });
    opened.orm = await initOrm({ clientUrl: opened.db.url });
    return opened as OpenTestDatabase;
  };
  return {
    open,
    /** The legacy schema seeded with `users` users; returns the ORM on it. */
    legacy: async (users: number) => (await open('legacy', users)).orm,
    /** The URL of this test's database. */
    get url(): string {
      if (!current) throw new Error('no test database is open');
      return current.db.url;
    },
  };
}
