import { describe, expect, it } from 'vitest';
import { CutoverRefusedError, type Orm, runMigrations } from '../src/index.js';
import { databaseFingerprint } from './support/databaseFingerprint.js';
import { testDatabasePerTest } from './support/testDatabasePerTest.js';
import { rows } from './support/withOrm.js';

/*
 * Check constraints and indexes are kept, and ALTER COLUMN ... TYPE uuid rebuilds those that read a converted
 * column. One written for integers would fail the conversion under the locks after a dry run that passed:
 * the cutover type-checks each against the converted columns first and refuses the ones that break. A default
 * on a converted reference (an integer user id) cannot be cast either: refused, with the statements to use.
 */
const databases = testDatabasePerTest();

const exec = async (o: Orm, ...statements: string[]) => {
  for (const sql of statements) await o.em.getConnection().execute(sql, [], 'run');
};

const definitions = (o: Orm) =>
  rows(
    o,
    `SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
      WHERE conname IN ('orders_user_present', 'orders_total_positive')
     UNION ALL
     SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
      WHERE indexrelid::regclass::text IN ('orders_by_day', 'orders_user_lower')
     ORDER BY 1`,
  );

describe('check constraints, indexes and defaults on a converted column', () => {
  it('refuses, before any change, those that do not hold for uuid, and keeps those that do', async () => {
    const o = await databases.legacy(20);
    await exec(
      o,
      `CREATE TABLE orders (id serial PRIMARY KEY, user_id integer REFERENCES users(id), total numeric NOT NULL,
         placed_at timestamptz NOT NULL DEFAULT now(), note text,
         CONSTRAINT orders_user_present CHECK (user_id IS NOT NULL),
         CONSTRAINT orders_total_positive CHECK (total > 0))`,
      'INSERT INTO orders (user_id, total) SELECT id, id FROM users',
      // Hold for uuid:
      `CREATE INDEX orders_by_day ON orders (user_id, ((placed_at AT TIME ZONE 'UTC')::date)) WHERE user_id IS NOT NULL`,
      `CREATE INDEX orders_user_lower ON orders (lower(note)) WHERE user_id IS NOT NULL`,
      // Written for integers:
      'ALTER TABLE users ADD CONSTRAINT users_id_positive CHECK (id > 0)',
      'CREATE INDEX orders_bucket ON orders ((user_id % 10))',
      'CREATE INDEX orders_recent ON orders (placed_at) WHERE user_id > 100',
    );
    const before = await databaseFingerprint(o);
    const kept = await definitions(o);

    const dry = await runMigrations(o, { dryRun: true });
    const error = await runMigrations(o).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CutoverRefusedError);
    const refusals = (error as CutoverRefusedError).refusals;
    expect(refusals.map((r) => [r.object, r.reason])).toEqual([
      [
        'check constraint users_id_positive on users',
        'reads id, which becomes uuid, and then fails: operator does not exist: uuid > integer',
      ],
      [
        'index orders_bucket on orders',
        'reads user_id, which becomes uuid, and then fails: operator does not exist: uuid % integer',
      ],
      [
        'index orders_recent on orders',
        'reads user_id, which becomes uuid, and then fails: operator does not exist: uuid > integer',
      ],
    ]);
    expect(dry.plan?.refusals).toEqual(refusals);
    expect(await databaseFingerprint(o)).toEqual(before);

    await exec(
      o,
      'ALTER TABLE users DROP CONSTRAINT users_id_positive',
      'DROP INDEX orders_bucket',
      'DROP INDEX orders_recent',
    );
    await runMigrations(o);
    expect(await definitions(o)).toEqual(kept);
    expect(await rows(o, 'SELECT count(*)::int AS n FROM orders o JOIN users u ON u.id = o.user_id')).toEqual(
      [{ n: 20 }],
    );
  });

  it('refuses a default on a converted reference, naming the statement and where the new id will be', async () => {
    const o = await databases.legacy(10);
    await exec(
      o,
      'CREATE TABLE notes (id serial PRIMARY KEY, owner_id integer DEFAULT 1 REFERENCES users(id), body text)',
      'CREATE TABLE drafts (id serial PRIMARY KEY, author_id integer DEFAULT NULL REFERENCES users(id))',
      "INSERT INTO notes (body) VALUES ('by the default owner')",
    );
    const before = await databaseFingerprint(o);
    const error = await runMigrations(o).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CutoverRefusedError);
    expect((error as CutoverRefusedError).refusals).toEqual([
      {
        object: 'column notes.owner_id',
        reason: 'has a default (1) that cannot become a uuid by itself',
        fix: 'drop it before the cutover (ALTER TABLE "public"."notes" ALTER COLUMN "owner_id" DROP DEFAULT), and after it set the new id of that user as its default (SELECT user_id FROM legacy_user_ids WHERE legacy_id = 1)',
      },
    ]);
    expect(await databaseFingerprint(o)).toEqual(before);

    await exec(o, 'ALTER TABLE "public"."notes" ALTER COLUMN "owner_id" DROP DEFAULT');
    await runMigrations(o);
    // The note still names the user whose legacy id was 1.
    expect(
      await rows(o, 'SELECT m.legacy_id FROM notes n JOIN legacy_user_ids m ON m.user_id = n.owner_id'),
    ).toEqual([{ legacy_id: 1 }]);
  });
});
