import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCutover } from '../src/cutover/verifyCutover.js';
import { VerificationError } from '../src/errors.js';
import { runMigrations } from '../src/index.js';
import { sqlExecutorFor } from '../src/sqlExecutorFor.js';
import { createTestDatabase, seedLegacyData, type TestDatabase } from '../src/testing/index.js';
import { rows, withOrm } from './support/withOrm.js';

type Counts = Parameters<typeof verifyCutover>[1];

/** The hex digit at 1-based `position` of a uuid's text replaced by the SQL text `digit`. */
const withDigit = (column: string, position: number, digit: string) =>
  `(substr(${column}::text, 1, ${position - 1}) || ${digit} || substr(${column}::text, ${position + 1}))::uuid`;
/** One 100-ns tick later: the last digit of time_low is even (ticks are whole microseconds), so no carry. */
const oneTickLater = (column: string) =>
  withDigit(column, 18, `to_hex(('x0' || substr(${column}::text, 18, 1))::bit(8)::int + 1)`);
/** One row's id, chosen by its rank. */
const nth = (table: string, n: number) => `(SELECT id FROM ${table} ORDER BY id OFFSET ${n} LIMIT 1)`;

describe("the cutover's verification step", () => {
  let db: TestDatabase;
  let counts: Counts;

  beforeAll(async () => {
    db = await createTestDatabase({ state: 'legacy' });
    counts = await withOrm(db.url, async (orm) => {
      await seedLegacyData(orm, { users: 40 });
      await runMigrations(orm);
      const [row] = await rows<Record<string, number>>(
        orm,
        `SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM user_profiles) AS user_profiles,
                (SELECT count(*)::int FROM verification_tokens) AS verification_tokens,
                (SELECT count(*)::int FROM social_accounts) AS social_accounts`,
      );
      return row as Counts;
    });
  });

  afterAll(() => db?.drop());

  /** Runs `corrupt` and the verification in one transaction that is rolled back. */
  async function verifyAfter(corrupt: readonly string[], before: Counts = counts): Promise<unknown> {
    return withOrm(db.url, async (orm) => {
      const connection = orm.em.getConnection();
      const trx = await connection.begin();
      try {
        for (const statement of corrupt) await connection.execute(statement, [], 'run', trx);
        return await verifyCutover(sqlExecutorFor(orm, trx), before).catch((error: unknown) => error);
      } finally {
        await connection.rollback(trx);
      }
    });
  }

  it('passes the migrated tables and returns their row counts', async () => {
    expect(await verifyAfter([])).toEqual({ ...counts, legacy_user_ids: counts.users });
  });

  it('reports every wrong id, slug and row count at once', async () => {
    const error = await verifyAfter(
      [
        // Not version 6; a random v4 id.
        `UPDATE user_profiles SET id = gen_random_uuid() WHERE id = ${nth('user_profiles', 0)}`,
        // The right instant in a version-1 id.
        `UPDATE user_profiles SET id = ${withDigit('id', 15, `'1'`)} WHERE id = ${nth('user_profiles', 1)}`,
        // Off by one 100-ns tick: still the same microsecond if ticks were divided by 10.
        `UPDATE verification_tokens SET id = ${oneTickLater('id')} WHERE id = ${nth('verification_tokens', 3)}`,
        // A whole time_high digit off: years away from the row's created_at.
        `UPDATE verification_tokens SET id = ${withDigit('id', 1, `'0'`)} WHERE id = ${nth('verification_tokens', 5)}`,
        // Variant 110 (Microsoft's) instead of RFC 9562's 10.
        `UPDATE social_accounts SET id = ${withDigit('id', 20, `'c'`)} WHERE id = ${nth('social_accounts', 0)}`,
        `UPDATE users SET slug = 'not-a-slug!!' WHERE id = ${nth('users', 7)}`,
      ],
      { ...counts, verification_tokens: counts.verification_tokens + 1 },
    );
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as VerificationError).failures).toEqual([
      'users: 1 slug(s) are not 12 Base62 characters',
      "user_profiles: 2 id(s) are not a v6 UUID of the row's created_at",
      `verification_tokens: ${counts.verification_tokens + 1} rows before, ${counts.verification_tokens} after`,
      "verification_tokens: 2 id(s) are not a v6 UUID of the row's created_at",
      "social_accounts: 1 id(s) are not a v6 UUID of the row's date_joined",
    ]);
  });

  it('reports a map that lost a row', async () => {
    const error = await verifyAfter([
      'DELETE FROM legacy_user_ids WHERE legacy_id = (SELECT min(legacy_id) FROM legacy_user_ids)',
    ]);
    expect((error as VerificationError).failures).toEqual([
      `legacy_user_ids: ${counts.users - 1} rows for ${counts.users} users`,
    ]);
  });
});
