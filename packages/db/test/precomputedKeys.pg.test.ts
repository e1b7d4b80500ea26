import { uuidV6Ticks, uuidVersion } from '@org/ids';
import { describe, expect, it } from 'vitest';
import { parseCutoverConfig } from '../src/cutover/CutoverConfig.js';
import { runCutover } from '../src/cutover/runCutover.js';
import type { SqlExecutor } from '../src/cutover/SqlExecutor.js';
import { initOrm } from '../src/index.js';
import { sqlExecutorFor } from '../src/sqlExecutorFor.js';
import { testDatabasePerTest } from './support/testDatabasePerTest.js';
import { rows } from './support/withOrm.js';

const GREGORIAN_OFFSET_US = 12_219_292_800_000_000n;
const databases = testDatabasePerTest();

/** Runs `beforeLocks` once, just before the cutover's first LOCK TABLE, and records every statement. */
function interceptLocks(sql: SqlExecutor, beforeLocks: () => Promise<void>) {
  const statements: string[] = [];
  let pending: (() => Promise<void>) | undefined = beforeLocks;
  const intercepted: SqlExecutor = {
    query: (query, params) => {
      statements.push(query);
      return sql.query(query, params);
    },
    run: async (statement, params) => {
      statements.push(statement);
      if (pending && statement.startsWith('LOCK TABLE')) {
        const writes = pending;
        pending = undefined;
        await writes();
      }
      return sql.run(statement, params);
    },
  };
  return { intercepted, statements };
}

describe('keys computed before the locks', () => {
  it('are used for rows unchanged since, and rows added, moved or re-dated meanwhile get keys of their own', async () => {
    const { db, orm } = await databases.open('legacy', 300);
    const exec = (statement: string) => orm.em.getConnection().execute(statement, [], 'run');
    // A gap in the user keys: their array gets a placeholder there, which a row inserted later must not match.
    await exec('DELETE FROM users WHERE id = 10');
    const other = await initOrm({ clientUrl: db.url, poolMax: 1 });
    try {
      const writesBetween = async () => {
        const run = (statement: string) => other.em.getConnection().execute(statement, [], 'run');
        await run(
          `INSERT INTO users (id, email, password, date_joined) VALUES (10, 'gap@example.com', 'x', timestamptz '2021-02-03 04:05:06.789012+00')`,
        );
        await run(
          `INSERT INTO users (email, password, date_joined) VALUES ('late@example.com', 'x', timestamptz '2022-03-04 05:06:07.123456+00')`,
        );
        await run(`UPDATE users SET date_joined = timestamptz '2020-01-02 03:04:05.678901+00' WHERE id = 20`);
        await run(
          `UPDATE verification_tokens SET created_at = created_at + interval '1 microsecond' WHERE id = 7`,
        );
        await run(
          `INSERT INTO verification_tokens (user_id, token_hash, purpose, created_at, expires_at)
           VALUES (10, repeat('a', 64), 'email_verification', timestamptz '2023-01-01 00:00:00.000001+00', now())`,
        );
      };
      const statements = await orm.em.getConnection().transactional(async (trx) => {
        const recorded = interceptLocks(sqlExecutorFor(orm, trx), writesBetween);
        await runCutover(recorded.intercepted, { config: parseCutoverConfig({}) });
        return recorded.statements;
      });

      // The rewrites took the precomputed arrays (the verification inside the cutover passed as well).
      const rewrites = statements.filter((s) => /^ALTER TABLE .*TYPE uuid/.test(s));
      expect(rewrites.find((s) => s.includes('"verification_tokens"'))).toContain('pg_temp."cutover_pre_');
      const map = statements.find((s) => s.startsWith('CREATE TABLE legacy_user_ids'));
      expect(map).toContain('pg_temp."cutover_pre_0_ids"');

      for (const table of ['users', 'verification_tokens', 'user_profiles', 'social_accounts']) {
        const created = table === 'users' || table === 'social_accounts' ? 'date_joined' : 'created_at';
        const keys = await rows<{ id: string; us: string }>(
          orm,
          `SELECT id::text AS id, (extract(epoch from ${created}) * 1000000)::int8::text AS us FROM ${table}`,
        );
        for (const key of keys) {
          expect(uuidVersion(key.id)).toBe(6);
          expect(uuidV6Ticks(key.id) / 10n - GREGORIAN_OFFSET_US).toBe(BigInt(key.us));
        }
      }
      const moved = await rows<{ email: string; legacy_id: number }>(
        orm,
        `SELECT u.email, m.legacy_id FROM users u JOIN legacy_user_ids m ON m.user_id = u.id
          WHERE m.legacy_id IN (10, 20, 301) ORDER BY m.legacy_id`,
      );
      expect(moved).toEqual([
        { email: 'gap@example.com', legacy_id: 10 },
        { email: 'user20@example.com', legacy_id: 20 },
        { email: 'late@example.com', legacy_id: 301 },
      ]);
      const [gapToken] = await rows<{ email: string }>(
        orm,
        `SELECT u.email FROM verification_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = repeat('a', 64)`,
      );
      expect(gapToken?.email).toBe('gap@example.com');
    } finally {
      await other.close(true);
    }
  });
});
