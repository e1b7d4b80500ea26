import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCutoverConfig } from '../src/cutover/CutoverConfig.js';
import { type PreflightResult, preflight } from '../src/cutover/preflight.js';
import { readUserGraph, type UserGraph } from '../src/cutover/userGraph.js';
import { verifyCutover } from '../src/cutover/verifyCutover.js';
import { VerificationError } from '../src/errors.js';
import { runMigrations } from '../src/index.js';
import { sqlExecutorFor } from '../src/sqlExecutorFor.js';
import { createTestDatabase, seedLegacyData, type TestDatabase } from '../src/testing/index.js';
import { rows, withOrm } from './support/withOrm.js';

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
  // The graph and counts as the cutover read them before converting (tables keep their oids and column
  // numbers through the in-place conversion, so they describe the migrated tables too).
  let graph: UserGraph;
  let before: PreflightResult;
  let counts: Record<string, number>;

  beforeAll(async () => {
    db = await createTestDatabase({ state: 'legacy' });
    await withOrm(db.url, async (orm) => {
      await seedLegacyData(orm, { users: 40 });
      const read = await readUserGraph(sqlExecutorFor(orm), parseCutoverConfig({}));
      if (read.state !== 'legacy') throw new Error(`expected a legacy database, got ${read.state}`);
      graph = read.graph;
      before = await preflight(sqlExecutorFor(orm), graph);
      await runMigrations(orm);
      const [row] = await rows<Record<string, number>>(
        orm,
        `SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM user_profiles) AS user_profiles,
                (SELECT count(*)::int FROM verification_tokens) AS verification_tokens,
                (SELECT count(*)::int FROM social_accounts) AS social_accounts`,
      );
      counts = row!;
    });
  });

  /** `before` with one table's row count changed. */
  const withRows = (table: string, rowsBefore: number): PreflightResult => ({
    ...before,
    tables: new Map(
      [...before.tables].map(([oid, t]) => [oid, t.relation.name === table ? { ...t, rows: rowsBefore } : t]),
    ),
  });

  afterAll(() => db?.drop());

  /** Runs `corrupt` and the verification in one transaction that is rolled back. */
  async function verifyAfter(
    corrupt: readonly string[],
    counted: PreflightResult = before,
  ): Promise<unknown> {
    return withOrm(db.url, async (orm) => {
      const connection = orm.em.getConnection();
      const trx = await connection.begin();
      try {
        for (const statement of corrupt) await connection.execute(statement, [], 'run', trx);
        return await verifyCutover(sqlExecutorFor(orm, trx), graph, counted).catch((error: unknown) => error);
      } finally {
        await connection.rollback(trx);
      }
    });
  }

  it('passes the migrated tables and returns their row counts', async () => {
    const same = (n: number) => ({ before: n, after: n });
    expect(await verifyAfter([])).toEqual({
      legacy_user_ids: same(counts.users!),
      users: same(counts.users!),
      user_profiles: same(counts.user_profiles!),
      verification_tokens: same(counts.verification_tokens!),
      social_accounts: same(counts.social_accounts!),
    });
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
      withRows('verification_tokens', counts.verification_tokens! + 1),
    );
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as VerificationError).failures).toEqual([
      'users: 1 slug(s) are not 12 Base62 characters',
      "user_profiles: 2 id(s) are not a v6 UUID of the row's created_at",
      `verification_tokens: ${counts.verification_tokens! + 1} rows before, ${counts.verification_tokens} after`,
      "verification_tokens: 2 id(s) are not a v6 UUID of the row's created_at",
      "social_accounts: 1 id(s) are not a v6 UUID of the row's date_joined",
    ]);
  });

  it('reports a map that lost a row', async () => {
    const error = await verifyAfter([
      'DELETE FROM legacy_user_ids WHERE legacy_id = (SELECT min(legacy_id) FROM legacy_user_ids)',
    ]);
    expect((error as VerificationError).failures).toEqual([
      `legacy_user_ids: ${counts.users! - 1} rows for ${counts.users} users`,
    ]);
  });

  it('reports a reference that lost its row or its value', async () => {
    const error = await verifyAfter([
      'ALTER TABLE social_accounts DROP CONSTRAINT social_accounts_user_id_foreign',
      'ALTER TABLE social_accounts ALTER COLUMN user_id DROP NOT NULL',
      `UPDATE social_accounts SET user_id = '00000000-0000-0000-0000-000000000000' WHERE id = ${nth('social_accounts', 2)}`,
      `UPDATE social_accounts SET user_id = NULL WHERE id = ${nth('social_accounts', 3)}`,
    ]);
    expect((error as VerificationError).failures).toEqual([
      `social_accounts.user_id: ${counts.social_accounts} values before, ${counts.social_accounts! - 1} after (a reference lost its row)`,
      'social_accounts.user_id: 1 value(s) point to no row',
    ]);
  });
});
