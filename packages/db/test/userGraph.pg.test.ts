import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCOUNT_LIFECYCLE_MIGRATION,
  ConversionError,
  CUTOVER_MIGRATION,
  CutoverRefusedError,
  initOrm,
  type Orm,
  runMigrations,
} from '../src/index.js';
import { adminSql } from '../src/testing/adminSql.js';
import { catalogSnapshot } from './support/catalogSnapshot.js';
import { databaseFingerprint } from './support/databaseFingerprint.js';
import {
  MIGRATE_TEST_TIMEOUT_MS,
  runMigrate,
  spawnMigrate,
  waitForOtherSessionsToEnd,
} from './support/spawnMigrate.js';
import { testDatabasePerTest } from './support/testDatabasePerTest.js';
import { rows } from './support/withOrm.js';

// Roles are global to the server: each run makes its own and drops them at the end.
const suffix = randomBytes(4).toString('hex');
const READER = `team_ro_${suffix}`;
const OWNER = `team_owner_${suffix}`;
beforeAll(() => adminSql([`CREATE ROLE ${READER}`, `CREATE ROLE ${OWNER}`]));
afterAll(() => adminSql([`DROP ROLE IF EXISTS ${READER}`, `DROP ROLE IF EXISTS ${OWNER}`]));

const databases = testDatabasePerTest();
const legacyDatabase = (users = 50) => databases.legacy(users);

const exec = async (o: Orm, ...statements: string[]) => {
  for (const sql of statements) await o.em.getConnection().execute(sql, [], 'run');
};

/** The team's own tables around the user table: orders (serial key) and an audit log (identity key). */
const TEAM_TABLES = [
  `CREATE TABLE orders (id serial PRIMARY KEY, user_id integer NOT NULL REFERENCES users(id),
     total numeric(10,2) NOT NULL, placed_at timestamptz NOT NULL DEFAULT now())`,
  `INSERT INTO orders (user_id, total) SELECT id, id * 1.5 FROM users WHERE id % 3 <> 0`,
  `CREATE INDEX orders_user_id_idx ON orders (user_id)`,
  `CREATE TABLE audit_events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     actor_id integer CONSTRAINT audit_events_actor_fk REFERENCES users(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
     action text NOT NULL)`,
  `INSERT INTO audit_events (actor_id, action) SELECT CASE WHEN id % 5 = 0 THEN NULL ELSE id END, 'login' FROM users`,
];

/** Natural-key view of every association the team's tables hold. */
async function teamAssociations(o: Orm) {
  return {
    orders: await rows(
      o,
      `SELECT o.id, u.email, o.total::text FROM orders o JOIN users u ON u.id = o.user_id ORDER BY o.id`,
    ),
    audit: await rows(
      o,
      `SELECT a.id::text, u.email, a.action FROM audit_events a LEFT JOIN users u ON u.id = a.actor_id ORDER BY a.id`,
    ),
  };
}

describe("a database with the team's own tables", () => {
  it(
    'converts every column that references users, keeps each foreign key as it was, and loses no association',
    async () => {
      const o = await legacyDatabase();
      await exec(o, ...TEAM_TABLES);
      const associations = await teamAssociations(o);
      const foreignKeys = `SELECT conname, pg_get_constraintdef(oid) AS def, condeferrable, condeferred
                           FROM pg_constraint WHERE conrelid IN ('orders'::regclass, 'audit_events'::regclass) AND contype = 'f' ORDER BY 1`;
      const keysBefore = await rows(o, foreignKeys);

      const before = await databaseFingerprint(o);
      const dry = await runMigrate(['--dry-run'], { DATABASE_URL: databases.url });
      expect(dry.code).toBe(0);
      expect(dry.stdout).toContain('orders (34 rows)');
      expect(dry.stdout).toContain(
        'converts: user_id integer -> uuid (ids of users, foreign key orders_user_id_fkey)',
      );
      expect(dry.stdout).toContain(
        'converts: actor_id integer -> uuid (ids of users, foreign key audit_events_actor_fk)',
      );
      expect(dry.stdout).toMatch(/estimated lock time: ~\d+ s/);
      expect(await databaseFingerprint(o)).toEqual(before);

      const report = await runMigrations(o);
      expect(report.applied).toEqual([CUTOVER_MIGRATION, ACCOUNT_LIFECYCLE_MIGRATION]);
      expect(report.cutover?.rowCounts.orders).toEqual({ before: 34, after: 34 });
      expect(await teamAssociations(o)).toEqual(associations);
      expect(await rows(o, foreignKeys)).toEqual(keysBefore);
      expect(
        await rows(
          o,
          `SELECT table_name, column_name, data_type FROM information_schema.columns
          WHERE table_name IN ('orders', 'audit_events') AND column_name IN ('id', 'user_id', 'actor_id') ORDER BY 1, 2`,
        ),
      ).toEqual([
        { table_name: 'audit_events', column_name: 'actor_id', data_type: 'uuid' },
        { table_name: 'audit_events', column_name: 'id', data_type: 'bigint' },
        { table_name: 'orders', column_name: 'id', data_type: 'integer' },
        { table_name: 'orders', column_name: 'user_id', data_type: 'uuid' },
      ]);
      // The team's keys keep counting where they were.
      await exec(o, `INSERT INTO orders (user_id, total) SELECT id, 1 FROM users LIMIT 1`);
      await exec(o, `INSERT INTO audit_events (action) VALUES ('x')`);
      expect(await rows(o, 'SELECT max(id) AS id FROM orders')).toEqual([{ id: 35 }]);
      expect(await rows(o, 'SELECT max(id)::int AS id FROM audit_events')).toEqual([{ id: 51 }]);
      expect((await runMigrations(o)).applied).toEqual([]);
    },
    MIGRATE_TEST_TIMEOUT_MS,
  );

  it('follows foreign keys at any depth: references to a converted product key convert through its own map', async () => {
    const o = await legacyDatabase(20);
    await exec(
      o,
      'ALTER TABLE users ADD COLUMN invited_by integer REFERENCES users(id)',
      'UPDATE users SET invited_by = id - 1 WHERE id > 1',
      'CREATE TABLE profile_badges (id serial PRIMARY KEY, profile_id integer NOT NULL REFERENCES user_profiles(id) ON DELETE CASCADE, badge text)',
      `INSERT INTO profile_badges (profile_id, badge) SELECT id, 'early' FROM user_profiles`,
    );
    const badges = `SELECT b.badge, u.email FROM profile_badges b JOIN user_profiles p ON p.id = b.profile_id JOIN users u ON u.id = p.user_id ORDER BY u.email`;
    const invites = `SELECT u.email, i.email AS inviter FROM users u LEFT JOIN users i ON i.id = u.invited_by ORDER BY u.email`;
    const before = { badges: await rows(o, badges), invites: await rows(o, invites) };
    await runMigrations(o);
    expect({ badges: await rows(o, badges), invites: await rows(o, invites) }).toEqual(before);
    expect(
      await rows(
        o,
        `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'profile_badges'::regclass AND attname = 'profile_id'`,
      ),
    ).toEqual([{ type: 'uuid' }]);
  });
});

describe('everything attached to a converted table is kept', () => {
  /** Builds one of each attachable thing on `table`; `ref` is a column that converts to uuid. */
  const attachEverything = (table: string, ref: string) => [
    `ALTER TABLE ${table} ADD COLUMN team_note text NOT NULL DEFAULT 'none',
       ADD COLUMN team_flag boolean DEFAULT false,
       ADD COLUMN team_doubled int GENERATED ALWAYS AS (length(team_note) * 2) STORED,
       ADD COLUMN team_seq bigint GENERATED BY DEFAULT AS IDENTITY,
       ADD COLUMN team_during tstzrange`,
    `CREATE INDEX team_${table}_partial ON ${table} (team_flag) WHERE team_flag`,
    `CREATE INDEX team_${table}_expr ON ${table} (lower(team_note))`,
    `CREATE INDEX team_${table}_ref ON ${table} (${ref}) WITH (fillfactor = 80)`,
    `ALTER TABLE ${table} ADD CONSTRAINT team_${table}_seq_unique UNIQUE (team_seq)`,
    `ALTER TABLE ${table} ADD CONSTRAINT team_${table}_note_check CHECK (team_note <> '')`,
    `ALTER TABLE ${table} ADD CONSTRAINT team_${table}_during_excl EXCLUDE USING gist (team_during WITH &&)`,
    `CREATE TRIGGER team_${table}_touch BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION team_touch()`,
    `CREATE TRIGGER team_${table}_when BEFORE UPDATE ON ${table} FOR EACH ROW WHEN (NEW.${ref} IS DISTINCT FROM OLD.${ref}) EXECUTE FUNCTION team_touch()`,
    `ALTER TABLE ${table} DISABLE TRIGGER team_${table}_when`,
    `GRANT SELECT ON ${table} TO ${READER}`,
    `GRANT UPDATE (team_note, ${ref}) ON ${table} TO ${READER}`,
    `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY team_${table}_notes ON ${table} FOR SELECT TO ${READER} USING (team_note <> 'secret')`,
    `CREATE POLICY team_${table}_ref ON ${table} AS RESTRICTIVE FOR ALL TO ${READER} USING (${ref} IS NOT NULL) WITH CHECK (${ref} IS NOT NULL)`,
    `COMMENT ON TABLE ${table} IS 'the team''s ${table}'`,
    `COMMENT ON COLUMN ${table}.${ref} IS 'who'`,
    `COMMENT ON INDEX team_${table}_ref IS 'lookups by ${ref}'`,
    `COMMENT ON CONSTRAINT team_${table}_note_check ON ${table} IS 'never empty'`,
    `COMMENT ON TRIGGER team_${table}_when ON ${table} IS 'audit'`,
    `COMMENT ON POLICY team_${table}_ref ON ${table} IS 'only attributed rows'`,
    `ALTER TABLE ${table} OWNER TO ${OWNER}`,
    `ALTER TABLE ${table} REPLICA IDENTITY USING INDEX team_${table}_seq_unique`,
    `ALTER TABLE ${table} ALTER COLUMN team_seq SET NOT NULL`,
    `ALTER TABLE ${table} SET (fillfactor = 90, autovacuum_enabled = false)`,
    `ALTER TABLE ${table} ALTER COLUMN team_note SET STATISTICS 500`,
    `ALTER PUBLICATION team_pub ADD TABLE ${table}`,
    `CREATE VIEW team_${table}_view WITH (security_barrier) AS SELECT ${ref}, team_note FROM ${table} WHERE team_note <> 'secret'`,
    `GRANT SELECT ON team_${table}_view TO ${READER}`,
    `COMMENT ON VIEW team_${table}_view IS 'filtered'`,
    `COMMENT ON COLUMN team_${table}_view.${ref} IS 'who, through the view'`,
    `CREATE VIEW team_${table}_view_of_view AS SELECT count(*) AS n FROM team_${table}_view`,
  ];

  it("compares equal before and after, apart from the converted keys' types (and the product's own names)", async () => {
    const o = await legacyDatabase(30);
    await exec(
      o,
      ...TEAM_TABLES,
      `CREATE FUNCTION team_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`,
      `CREATE PUBLICATION team_pub`,
      `ALTER TABLE users ALTER COLUMN email SET STATISTICS 300`,
      ...attachEverything('users', 'id'),
      ...attachEverything('user_profiles', 'user_id'),
      ...attachEverything('orders', 'user_id'),
      ...attachEverything('audit_events', 'actor_id'),
    );
    const tables = ['users', 'user_profiles', 'orders', 'audit_events'];
    const before = await catalogSnapshot(o, tables);
    const data = await teamAssociations(o);

    await runMigrations(o);
    const after = await catalogSnapshot(o, tables);

    // What the cutover changes on purpose, applied to the snapshot taken before it:
    const expected = structuredClone(before);
    const converted: Record<string, string[]> = {
      users: ['id'],
      user_profiles: ['id', 'user_id'],
      orders: ['user_id'],
      audit_events: ['actor_id'],
    };
    for (const [table, columns] of Object.entries(converted)) {
      const snapshot = expected[table] as { columns: Record<string, Record<string, unknown>> };
      for (const column of columns) {
        // The key's serial default goes with its sequence: new keys come from the application (UUIDv6).
        Object.assign(snapshot.columns[column]!, { type: 'uuid', default: null });
      }
    }
    const users = expected.users as Record<string, Record<string, unknown>>;
    const profiles = expected.user_profiles as Record<string, Record<string, unknown>>;
    // The product's own tables end as the entities declare them: a slug, MikroORM's constraint names.
    users.columns!.slug = {
      type: 'character varying(12)',
      not_null: true,
      default: null,
      identity: '',
      generated: '',
      collation: 'C',
      statistics: -1,
      acl: null,
      comment: null,
    };
    delete users.constraints!.users_email_key;
    delete users.indexes!.users_email_key;
    users.constraints!.users_slug_unique =
      after.users!.constraints && (after.users!.constraints as Record<string, unknown>).users_slug_unique;
    users.indexes!.users_slug_unique = (after.users!.indexes as Record<string, unknown>).users_slug_unique;
    users.indexes!.users_email_lower_unique = (
      after.users!.indexes as Record<string, unknown>
    ).users_email_lower_unique;
    delete users.sequences!.users_id_seq;
    delete profiles.sequences!.user_profiles_id_seq;
    profiles.constraints!.user_profiles_user_id_unique = profiles.constraints!.user_profiles_user_id_key;
    delete profiles.constraints!.user_profiles_user_id_key;
    profiles.indexes!.user_profiles_user_id_unique = {
      ...(profiles.indexes!.user_profiles_user_id_key as object),
      definition: (profiles.indexes!.user_profiles_user_id_key as { definition: string }).definition.replace(
        'user_profiles_user_id_key',
        'user_profiles_user_id_unique',
      ),
    };
    delete profiles.indexes!.user_profiles_user_id_key;
    profiles.constraints!.user_profiles_user_id_foreign = profiles.constraints!.user_profiles_user_id_fkey;
    delete profiles.constraints!.user_profiles_user_id_fkey;

    expect(after).toEqual(expected);
    expect(await teamAssociations(o)).toEqual(data);
    // The reader can still read what it could: grants, policies and the re-created view hold.
    await exec(o, `SET ROLE ${READER}`);
    try {
      expect((await rows(o, 'SELECT count(*)::int AS n FROM team_orders_view'))[0]).toEqual({ n: 20 });
    } finally {
      await exec(o, 'RESET ROLE');
    }
  });
});

describe('what the cutover refuses, before any change', () => {
  it('names a materialized view, a generated column on a converted column, and columns that look like user ids', async () => {
    const o = await legacyDatabase(10);
    await exec(
      o,
      'CREATE MATERIALIZED VIEW team_user_ids AS SELECT id FROM users',
      'CREATE TABLE notes (id serial PRIMARY KEY, owner_id integer, body text)',
      'CREATE TABLE comments (id serial PRIMARY KEY, content_type_id integer, object_id text, body text)',
      'ALTER TABLE social_accounts ADD COLUMN user_hash text GENERATED ALWAYS AS (md5(user_id::text)) STORED',
    );
    const before = await databaseFingerprint(o);
    const dry = await runMigrations(o, { dryRun: true });
    const error = await runMigrations(o).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CutoverRefusedError);
    const refusals = (error as CutoverRefusedError).refusals;
    expect(refusals.map((r) => r.object).sort()).toEqual([
      'a generated column or default on social_accounts',
      'column comments.object_id',
      'column notes.owner_id',
      'materialized view team_user_ids',
    ]);
    expect(refusals.find((r) => r.object === 'column notes.owner_id')?.fix).toContain(
      '"table": "notes", "column": "owner_id", "action": "translate" | "ignore"',
    );
    expect(dry.plan?.refusals).toEqual(refusals);
    expect(await databaseFingerprint(o)).toEqual(before);
  });

  it('translates a declared column without a foreign key, and leaves a declared non-reference alone', async () => {
    const o = await legacyDatabase(10);
    await exec(
      o,
      'CREATE TABLE notes (id serial PRIMARY KEY, owner_id integer, body text)',
      `INSERT INTO notes (owner_id, body) SELECT id, 'note ' || id FROM users`,
      'CREATE TABLE shelves (id serial PRIMARY KEY, owner_id integer)',
      'INSERT INTO shelves (owner_id) VALUES (7), (123456)',
    );
    const notes = `SELECT n.body, u.email FROM notes n JOIN users u ON u.id = n.owner_id ORDER BY n.id`;
    const before = await rows(o, notes);
    await runMigrations(o, {
      cutover: {
        references: [
          { table: 'notes', column: 'owner_id', action: 'translate' },
          { table: 'shelves', column: 'owner_id', action: 'ignore' },
        ],
      },
    });
    expect(await rows(o, notes)).toEqual(before);
    expect(await rows(o, 'SELECT owner_id FROM shelves ORDER BY id')).toEqual([
      { owner_id: 7 },
      { owner_id: 123456 },
    ]);
  });

  it('refuses a declared translation whose values point at no user, with examples', async () => {
    const o = await legacyDatabase(10);
    await exec(
      o,
      'CREATE TABLE notes (id serial PRIMARY KEY, owner_id integer)',
      'INSERT INTO notes (owner_id) VALUES (1), (999), (NULL)',
    );
    const error = await runMigrations(o, {
      cutover: { references: [{ table: 'notes', column: 'owner_id', action: 'translate' }] },
    }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('notes.owner_id points to no row of users');
    expect((error as Error).message).toContain('2 (owner_id 999)');
  });

  it('rolls back, naming the view, when a view on a converted column does not hold for UUIDs', async () => {
    const o = await legacyDatabase(10);
    await exec(o, 'CREATE VIEW first_user AS SELECT email FROM users WHERE id = 1');
    const before = await databaseFingerprint(o);
    const error = await runMigrations(o).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConversionError);
    expect((error as Error).message).toContain('could not convert view first_user');
    expect((error as Error).message).toContain('operator does not exist: uuid = integer');
    expect(await databaseFingerprint(o)).toEqual(before);
  });
});

describe('the migrate process killed on the new paths', () => {
  const KILL_POINTS = [
    'set aside foreign keys, views, policies, triggers...',
    'translate team_mentions.target...',
  ];
  for (const point of KILL_POINTS) {
    it(
      `at "${point}" leaves the team's tables, views and policies as they were, and the next run completes`,
      async () => {
        const o = await legacyDatabase(3000);
        await exec(
          o,
          ...TEAM_TABLES,
          'CREATE VIEW team_orders AS SELECT o.id, u.email FROM orders o JOIN users u ON u.id = o.user_id',
          'CREATE POLICY team_own ON orders USING (user_id IS NOT NULL)',
          'CREATE TABLE team_mentions (id serial PRIMARY KEY, target text)',
          'INSERT INTO team_mentions (target) SELECT id::text FROM users WHERE id <= 100',
          // Translating mentions waits on an advisory lock this test holds: everything before it (views
          // and foreign keys set aside, tables converted) has happened when the kill lands, and nothing can
          // commit before it, whatever the machine's speed.
          `CREATE FUNCTION team_wait() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_advisory_xact_lock(4242); RETURN NEW; END $$`,
          'CREATE TRIGGER team_wait BEFORE UPDATE ON team_mentions FOR EACH ROW EXECUTE FUNCTION team_wait()',
        );
        const tables = ['users', 'orders', 'audit_events', 'team_mentions'];
        const snapshot = await catalogSnapshot(o, tables);
        const data = await teamAssociations(o);
        const mentions = await rows(o, 'SELECT id, target FROM team_mentions ORDER BY id');
        const dir = await mkdtemp(join(tmpdir(), 'cutover-'));
        const config = join(dir, 'cutover.json');
        await writeFile(
          config,
          JSON.stringify({ references: [{ table: 'team_mentions', column: 'target', action: 'translate' }] }),
        );

        const blocker = await initOrm({ clientUrl: databases.url, poolMax: 1 });
        const connection = blocker.em.getConnection();
        const trx = await connection.begin();
        await connection.execute('SELECT pg_advisory_xact_lock(4242)', [], 'run', trx);
        try {
          const migrate = spawnMigrate(['--lock-timeout', '60000', '--config', config], {
            DATABASE_URL: databases.url,
          });
          await migrate.waitForLine(point);
          migrate.child.kill('SIGKILL');
          await migrate.exited;
        } finally {
          await connection.rollback(trx);
          await blocker.close(true);
          await rm(dir, { recursive: true, force: true });
        }
        await waitForOtherSessionsToEnd(o);
        expect(await catalogSnapshot(o, tables)).toEqual(snapshot);
        expect(await teamAssociations(o)).toEqual(data);
        expect(await rows(o, 'SELECT id, target FROM team_mentions ORDER BY id')).toEqual(mentions);

        const report = await runMigrations(o, {
          cutover: { references: [{ table: 'team_mentions', column: 'target', action: 'translate' }] },
        });
        expect(report.cutover?.rowCounts.orders).toEqual({ before: 2000, after: 2000 });
        expect(await teamAssociations(o)).toEqual(data);
        expect(
          await rows(
            o,
            'SELECT count(*)::int AS n FROM team_mentions m JOIN users u ON u.id::text = m.target',
          ),
        ).toEqual([{ n: 100 }]);
      },
      MIGRATE_TEST_TIMEOUT_MS,
    );
  }
});
