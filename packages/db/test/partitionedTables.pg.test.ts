import { describe, expect, it } from 'vitest';
import { CutoverRefusedError, type Orm, runMigrations } from '../src/index.js';
import { catalogSnapshot } from './support/catalogSnapshot.js';
import { databaseFingerprint } from './support/databaseFingerprint.js';
import { testDatabasePerTest } from './support/testDatabasePerTest.js';
import { rows } from './support/withOrm.js';

/*
 * Tables that have grown around the user table are often partitioned (an event log by month). A partitioned
 * table that references users converts in place with all its partitions, at any depth: PostgreSQL carries the
 * new column type, the indexes and the partitions' copies of the foreign key down the tree. Tables that get
 * keys of their own, a foreign key on one partition only, and INHERITS trees are refused before any change.
 */
const databases = testDatabasePerTest();

const exec = async (o: Orm, ...statements: string[]) => {
  for (const sql of statements) await o.em.getConnection().execute(sql, [], 'run');
};

const EVENT_TABLES = [
  'events',
  'events_2024',
  'events_2025',
  'events_2026',
  'events_2026_login',
  'events_2026_other',
  'events_later',
];

const EVENT_LOG = [
  `CREATE FUNCTION team_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`,
  `CREATE TABLE events (id bigserial, user_id integer NOT NULL, at timestamptz NOT NULL, kind text NOT NULL,
     PRIMARY KEY (id, at, kind),
     CONSTRAINT events_user_fk FOREIGN KEY (user_id) REFERENCES users(id)
       ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED) PARTITION BY RANGE (at)`,
  `CREATE INDEX events_user_idx ON events (user_id)`,
  `CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')`,
  `CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')
     WITH (fillfactor = 70)`,
  `CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')
     PARTITION BY LIST (kind)`,
  `CREATE TABLE events_2026_login PARTITION OF events_2026 FOR VALUES IN ('login')`,
  `CREATE TABLE events_2026_other PARTITION OF events_2026 DEFAULT`,
  `CREATE TABLE events_later PARTITION OF events DEFAULT`,
  // What one partition has of its own.
  `CREATE INDEX events_2025_logins ON events_2025 (user_id, at) WHERE kind = 'login'`,
  `CREATE TRIGGER events_2024_touch BEFORE UPDATE ON events_2024 FOR EACH ROW EXECUTE FUNCTION team_touch()`,
  `GRANT SELECT ON events_2025 TO PUBLIC`,
  `GRANT SELECT (user_id) ON events_2026_login TO PUBLIC`,
  `COMMENT ON TABLE events_2024 IS 'archived'`,
  `COMMENT ON COLUMN events_2026_other.user_id IS 'who'`,
  `INSERT INTO events (user_id, at, kind)
     SELECT u.id, y.at + (u.id || ' hours')::interval, k.kind
       FROM users u,
            (VALUES ('2024-03-01'::timestamptz), ('2025-03-01'), ('2026-03-01'), ('2031-03-01')) AS y (at),
            (VALUES ('login'), ('logout')) AS k (kind)`,
];

const eventsByEmail = (o: Orm) =>
  rows(
    o,
    `SELECT e.id::int, e.at::text, e.kind, u.email, e.tableoid::regclass::text AS partition
       FROM events e JOIN users u ON u.id = e.user_id ORDER BY e.id`,
  );

describe('a partitioned table that references users', () => {
  it('converts with all its partitions, at any depth, keeping what each partition has', async () => {
    const o = await databases.legacy(20);
    await exec(o, ...EVENT_LOG);
    const before = await catalogSnapshot(o, EVENT_TABLES);
    const events = await eventsByEmail(o);
    expect(events).toHaveLength(20 * 4 * 2);
    expect(new Set(events.map((e) => e.partition)).size).toBe(5);

    const dry = await runMigrations(o, { dryRun: true });
    expect(dry.plan?.refusals).toEqual([]);
    const report = await runMigrations(o);
    expect(report.cutover?.rowCounts.events).toEqual({ before: 160, after: 160 });

    const expected = structuredClone(before);
    for (const table of EVENT_TABLES) {
      const columns = (expected[table] as { columns: Record<string, Record<string, unknown>> }).columns;
      columns.user_id!.type = 'uuid';
    }
    expect(await catalogSnapshot(o, EVENT_TABLES)).toEqual(expected);
    expect(await eventsByEmail(o)).toEqual(events);

    // The foreign key holds on every partition: deleting a user cascades into each of them.
    await exec(o, `DELETE FROM users WHERE email = ${`'${String(events[0]!.email)}'`}`);
    const left = await rows(o, 'SELECT count(*)::int AS n FROM events');
    expect(left).toEqual([{ n: 160 - 8 }]);
    expect((await runMigrations(o)).applied).toEqual([]);
  });
});

describe('partitions and inheritance the cutover refuses, before any change', () => {
  it('names a partition with a foreign key of its own, and an INHERITS tree', async () => {
    const o = await databases.legacy(10);
    await exec(
      o,
      `CREATE TABLE visits (user_id integer NOT NULL, at date NOT NULL) PARTITION BY RANGE (at)`,
      `CREATE TABLE visits_2025 PARTITION OF visits FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')`,
      `ALTER TABLE visits_2025 ADD CONSTRAINT visits_2025_user_fk FOREIGN KEY (user_id) REFERENCES users(id)`,
      `INSERT INTO visits VALUES (1, '2025-05-01')`,
      `CREATE TABLE notes (id serial PRIMARY KEY, author integer REFERENCES users(id))`,
      `CREATE TABLE archived_notes (archived_at timestamptz) INHERITS (notes)`,
      `INSERT INTO notes (author) VALUES (2)`,
    );
    const before = await databaseFingerprint(o);
    const error = await runMigrations(o).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CutoverRefusedError);
    const refusals = (error as CutoverRefusedError).refusals;
    expect(refusals.map((r) => [r.object, r.reason])).toEqual(
      expect.arrayContaining([
        ['table visits_2025', 'is a partition of visits, whose column types it must keep'],
        ['table notes', 'takes part in table inheritance (INHERITS)'],
      ]),
    );
    expect(refusals.find((r) => r.object === 'table visits_2025')?.fix).toContain('on visits');
    expect(await databaseFingerprint(o)).toEqual(before);
  });

  it('refuses a product table in an INHERITS tree: its rows get keys of their own', async () => {
    const o = await databases.legacy(10);
    await exec(
      o,
      `CREATE TABLE archived_tokens (LIKE verification_tokens INCLUDING DEFAULTS)`,
      `ALTER TABLE verification_tokens INHERIT archived_tokens`,
    );
    const before = await databaseFingerprint(o);
    const error = await runMigrations(o).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CutoverRefusedError);
    expect((error as CutoverRefusedError).refusals).toContainEqual(
      expect.objectContaining({
        object: 'table verification_tokens',
        reason: 'takes part in table inheritance (INHERITS)',
      }),
    );
    expect(await databaseFingerprint(o)).toEqual(before);
  });
});
