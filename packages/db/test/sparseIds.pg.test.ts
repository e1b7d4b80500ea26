import { compareUuids, uuidV6Ticks } from '@org/ids';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations, UserIds } from '../src/index.js';
import { createTestDatabase, SEED_PASSWORD_HASH, type TestDatabase } from '../src/testing/index.js';
import { rows, withOrm } from './support/withOrm.js';

const INSTANT = '2021-02-03 04:05:06.789012+00';
// Far apart (a slug slot per id would be billions of slots), negative and at the int4 limits.
const LEGACY_IDS = [-2147483648, -5, 1, 2, 1_000_000, 2147483647];

describe('the cutover with sparse, negative and extreme legacy ids sharing one instant', () => {
  let db: TestDatabase;
  let mapped: { legacy_id: number; user_id: string; slug: string; tokens: number }[];

  beforeAll(async () => {
    db = await createTestDatabase({ state: 'legacy' });
    mapped = await withOrm(db.url, async (orm) => {
      const run = (sql: string) => orm.em.getConnection().execute(sql, [], 'run');
      await run(`INSERT INTO users (id, email, password, date_joined)
        SELECT i, 'sparse' || i || '@example.com', '${SEED_PASSWORD_HASH}', timestamptz '${INSTANT}'
          FROM unnest(ARRAY[${LEGACY_IDS.join(',')}]) i`);
      await run(`INSERT INTO verification_tokens (user_id, token_hash, purpose, created_at, expires_at)
        SELECT id, md5('s' || id) || md5('t' || id), 'email_verification', date_joined, date_joined + interval '1 day' FROM users`);
      // Serial copies: no parallel workers at all.
      await runMigrations(orm, { parallelWorkers: 0 });
      return rows(
        orm,
        `SELECT m.legacy_id, m.user_id::text AS user_id, u.slug,
                (SELECT count(*)::int FROM verification_tokens t WHERE t.user_id = u.id) AS tokens
           FROM legacy_user_ids m JOIN users u ON u.id = m.user_id ORDER BY m.legacy_id`,
      );
    });
  });

  afterAll(() => db?.drop());

  it('maps every user, orders their ids by legacy id within the instant, and keeps the instant', () => {
    expect(mapped.map((m) => Number(m.legacy_id))).toEqual(LEGACY_IDS);
    const ids = mapped.map((m) => m.user_id);
    expect([...ids].sort(compareUuids)).toEqual(ids);
    expect(new Set(ids.map((id) => uuidV6Ticks(id))).size).toBe(1);
    expect(mapped.every((m) => m.tokens === 1)).toBe(true);
  });

  it('gives each of them a distinct slug', () => {
    expect(mapped.every((m) => UserIds.isSlug(m.slug))).toBe(true);
    expect(new Set(mapped.map((m) => m.slug)).size).toBe(LEGACY_IDS.length);
  });
});
