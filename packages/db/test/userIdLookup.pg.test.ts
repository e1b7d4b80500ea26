import { afterEach, describe, expect, it } from 'vitest';
import { runMigrations } from '../src/index.js';
import { createTestDatabase, SEED_PASSWORD_HASH, type TestDatabase } from '../src/testing/index.js';
import { rows, withOrm } from './support/withOrm.js';

const ARRAY_STEP = 'index user ids by legacy id';

/*
 * The copies find each child's new user_id either in a uuid array indexed by legacy id (dense ids, with or
 * without gaps) or by a hash join with legacy_user_ids (sparse ids). Each way must point every child at the
 * user it pointed at before.
 */
describe('the lookup of new user ids by legacy id', () => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });

  async function migrateUsers(legacyIds: readonly number[]) {
    db = await createTestDatabase({ state: 'legacy' });
    return withOrm(db.url, async (orm) => {
      const run = (sql: string) => orm.em.getConnection().execute(sql, [], 'run');
      await run(`INSERT INTO users (id, email, password, date_joined)
        SELECT i, 'lookup' || i || '@example.com', '${SEED_PASSWORD_HASH}', now() - i * interval '1 second'
          FROM unnest(ARRAY[${legacyIds.join(',')}]) i`);
      // Two tokens and a profile a user; token hashes and profile names carry the legacy user id.
      await run(`INSERT INTO verification_tokens (user_id, token_hash, purpose, created_at, expires_at)
        SELECT u.id, md5(k || ':' || u.id) || md5(u.id::text), 'password_reset', now(), now() + interval '1 day'
          FROM users u, generate_series(1, 2) k`);
      await run(`INSERT INTO user_profiles (user_id, display_name, created_at)
        SELECT id, 'legacy ' || id, now() FROM users`);
      const report = await runMigrations(orm);
      const tokens = await rows<{ legacy_id: number; legacy_hash: string; token_hash: string }>(
        orm,
        `SELECT m.legacy_id, md5(m.legacy_id::text) AS legacy_hash, t.token_hash
           FROM verification_tokens t JOIN legacy_user_ids m ON m.user_id = t.user_id`,
      );
      const profiles = await rows<{ legacy_id: number; display_name: string }>(
        orm,
        `SELECT m.legacy_id, p.display_name FROM user_profiles p JOIN legacy_user_ids m ON m.user_id = p.user_id`,
      );
      return { steps: report.cutover?.steps.map((s) => s.name) ?? [], tokens, profiles };
    });
  }

  function expectRepointed(result: Awaited<ReturnType<typeof migrateUsers>>, users: number) {
    expect(result.tokens).toHaveLength(2 * users);
    expect(result.tokens.every((t) => t.token_hash.endsWith(t.legacy_hash))).toBe(true);
    expect(result.profiles).toHaveLength(users);
    expect(result.profiles.every((p) => p.display_name === `legacy ${p.legacy_id}`)).toBe(true);
  }

  it('uses an array for dense ids', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => i + 7);
    const result = await migrateUsers(ids);
    expect(result.steps).toContain(ARRAY_STEP);
    expectRepointed(result, ids.length);
  });

  it('uses an array with empty slots for ids with gaps', async () => {
    const ids = Array.from({ length: 900 }, (_, i) => i - 20).filter((id) => id % 3 !== 0);
    const result = await migrateUsers(ids);
    expect(result.steps).toContain(ARRAY_STEP);
    expectRepointed(result, ids.length);
  });

  it('uses the hash join for sparse ids', async () => {
    const ids = [-2147483648, -3, 4, 5, 70_000, 2147483647];
    const result = await migrateUsers(ids);
    expect(result.steps).not.toContain(ARRAY_STEP);
    expectRepointed(result, ids.length);
  });
});
