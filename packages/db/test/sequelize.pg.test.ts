import { uuidV6Ticks, uuidVersion } from '@org/ids';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MigrationRunReport, runMigrations } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.js';
import {
  associationsByEmail,
  constraintsAndIndexes,
  cutOverFixture,
  expectEveryAssociationSeeded,
  loadSchemaFile,
  runSql,
  tableData,
} from './support/ormSchema.js';
import { rows, withOrm } from './support/withOrm.js';

/**
 * The cutover on the schema Sequelize 6's `sync()` made (test/fixtures/sequelize: generate.mjs, schema.sql
 * captured with pg_dump; Sequelize is not needed here). Its conventions: quoted mixed-case names ("Users",
 * "createdAt", "UserId"), SERIAL keys, foreign keys `ON UPDATE CASCADE ON DELETE SET NULL|CASCADE`,
 * `timestamp with time zone` timestamps, belongsToMany junctions whose primary key contains the user reference
 * ("UserGroups", and "Follows" with two references to users), and a sessions table referencing users.
 */

const SCHEMA = new URL('./fixtures/sequelize/schema.sql', import.meta.url);
/** "Activities"."UserId" holds user ids without a foreign key (`constraints: false`): declared, translated. */
const ACTIVITY_USER = { table: 'Activities', column: 'UserId', action: 'translate' } as const;
const CUTOVER = { usersTable: 'Users', createdColumn: 'createdAt', references: [ACTIVITY_USER] };
const GREGORIAN_OFFSET_US = 12_219_292_800_000_000n;
const USERS = 6;
/** Every column holding "Users" ids through a foreign key in the fixture's schema. */
const USER_REFERENCES = [
  'Comments.UserId',
  'Follows.followeeId',
  'Follows.followerId',
  'Posts.authorId',
  'Posts.reviewerId',
  'Profiles.UserId',
  'Sessions.UserId',
  'UserGroups.UserId',
];

const user = (i: number) => `(SELECT id FROM "Users" WHERE email = 'user${i}@example.com')`;

/** What the generator's seed does through the models, by SQL: ties, a user without profile, nullable reviewers. */
function seedStatements(): string[] {
  const statements = [
    `INSERT INTO "Groups" (name, "createdAt", "updatedAt") VALUES
       ('admins', now(), now()), ('editors', now(), now()), ('readers', now(), now())`,
    `INSERT INTO "Tags" (label, "createdAt", "updatedAt") VALUES ('news', now(), now()), ('howto', now(), now())`,
  ];
  for (let i = 0; i < USERS; i++) {
    // users 2 and 3 signed up in the same microsecond
    const joined = `timestamptz '2021-01-01 12:00:00.123456+00' + interval '${i === 3 ? 2 : i} days'`;
    statements.push(
      `INSERT INTO "Users" (email, name, "createdAt", "updatedAt")
         VALUES ('user${i}@example.com', 'User ${i}', ${joined}, ${joined})`,
    );
  }
  for (let i = 0; i < USERS; i++) {
    const stamp = `now(), now()`;
    if (i !== 5) {
      statements.push(
        `INSERT INTO "Profiles" (bio, "UserId", "createdAt", "updatedAt") VALUES ('bio of ${i}', ${user(i)}, ${stamp})`,
      );
    }
    statements.push(
      `INSERT INTO "UserGroups" ("UserId", "GroupId", "createdAt", "updatedAt")
         SELECT ${user(i)}, id, ${stamp} FROM "Groups" WHERE (${i} + id) % 2 = 1`,
      `INSERT INTO "Posts" (title, "authorId", "reviewerId", "createdAt", "updatedAt")
         VALUES ('post ${i}', ${user(i)}, ${i % 2 ? user(0) : 'NULL'}, ${stamp})`,
      `INSERT INTO "PostTags" ("PostId", "TagId", "createdAt", "updatedAt")
         SELECT (SELECT id FROM "Posts" WHERE title = 'post ${i}'), id, ${stamp} FROM "Tags" WHERE (${i} + id) % 3 <> 1`,
      `INSERT INTO "Comments" (body, "PostId", "UserId", "createdAt", "updatedAt")
         VALUES ('comment on ${i}', (SELECT id FROM "Posts" WHERE title = 'post ${i}'), ${user((i + 1) % USERS)}, ${stamp})`,
      `INSERT INTO "Activities" (action, "UserId", "createdAt", "updatedAt") VALUES ('signed in ${i}', ${user(i)}, ${stamp})`,
      `INSERT INTO "Sessions" (token, "UserId", "createdAt", "updatedAt") VALUES ('session-${i}', ${user(i)}, ${stamp})`,
    );
    if (i > 0) {
      statements.push(
        `INSERT INTO "Follows" ("followerId", "followeeId", "createdAt", "updatedAt") VALUES (${user(i)}, ${user(i - 1)}, ${stamp})`,
      );
    }
  }
  return statements;
}

/** Per user email, the natural keys of each association, joined in SQL. */
const ASSOCIATIONS = {
  joined: `SELECT email, (extract(epoch FROM "createdAt") * 1000000)::int8::text AS value FROM "Users"`,
  profile: `SELECT u.email, p.bio AS value FROM "Profiles" p JOIN "Users" u ON u.id = p."UserId"`,
  groups: `SELECT u.email, g.name AS value FROM "UserGroups" x
             JOIN "Users" u ON u.id = x."UserId" JOIN "Groups" g ON g.id = x."GroupId"`,
  following: `SELECT a.email, b.email AS value FROM "Follows" f
                JOIN "Users" a ON a.id = f."followerId" JOIN "Users" b ON b.id = f."followeeId"`,
  posts: `SELECT u.email, p.title || ' [' || coalesce(string_agg(t.label, ',' ORDER BY t.label), '') || ']' AS value
            FROM "Posts" p JOIN "Users" u ON u.id = p."authorId"
            LEFT JOIN "PostTags" pt ON pt."PostId" = p.id LEFT JOIN "Tags" t ON t.id = pt."TagId"
           GROUP BY u.email, p.title`,
  reviews: `SELECT u.email, p.title AS value FROM "Posts" p JOIN "Users" u ON u.id = p."reviewerId"`,
  comments: `SELECT u.email, p.title || ': ' || c.body AS value
               FROM "Comments" c JOIN "Users" u ON u.id = c."UserId" JOIN "Posts" p ON p.id = c."PostId"`,
  sessions: `SELECT u.email, s.token AS value FROM "Sessions" s JOIN "Users" u ON u.id = s."UserId"`,
  activities: `SELECT u.email, a.action AS value FROM "Activities" a JOIN "Users" u ON u.id = a."UserId"`,
};

interface State {
  associations: Awaited<ReturnType<typeof associationsByEmail>>;
  schema: Awaited<ReturnType<typeof constraintsAndIndexes>>;
  data: Record<string, unknown>;
  users: { id: string; email: string; joined_us: string }[];
}

async function readState(url: string): Promise<State> {
  return withOrm(url, async (orm) => ({
    associations: await associationsByEmail(orm, ASSOCIATIONS),
    schema: await constraintsAndIndexes(orm),
    data: await tableData(orm),
    users: await rows(
      orm,
      `SELECT id::text AS id, email, (extract(epoch FROM "createdAt") * 1000000)::int8::text AS joined_us
         FROM "Users" ORDER BY email`,
    ),
  }));
}

describe('the cutover on a schema made by Sequelize 6 sync()', () => {
  let db: TestDatabase;
  let legacy: State;
  let dryRun: MigrationRunReport;
  let afterDryRun: State;
  let migrated: State;

  beforeAll(async () => {
    ({ db, legacy, dryRun, afterDryRun, migrated } = await cutOverFixture({
      schema: SCHEMA,
      seed: seedStatements,
      cutover: CUTOVER,
      readState,
    }));
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('seeds every association it checks', () => {
    expectEveryAssociationSeeded(legacy.associations, Object.keys(ASSOCIATIONS), USERS);
  });

  it('dry run: finds every reference to "Users" through its foreign key, refuses nothing, changes nothing', () => {
    expect(dryRun.plan?.refusals).toEqual([]);
    expect(dryRun.preflight?.problems).toEqual([]);
    const converts = dryRun.plan?.tables.flatMap((t) =>
      t.converts.filter((c) => c.includes(', foreign key ')).map((c) => `${t.table}.${c.split(' ')[0]}`),
    );
    expect(converts?.sort()).toEqual(USER_REFERENCES);
    expect(dryRun.plan?.tables.find((t) => t.table === 'Activities')?.converts).toEqual([
      'UserId integer -> uuid (ids of Users, rule references[0])',
    ]);
    expect(afterDryRun).toEqual(legacy);
  });

  it('dry run without declaring "Activities"."UserId" (a belongsTo with constraints: false): refused, named', async () => {
    const copy = await createTestDatabase({ state: 'empty' });
    const report = await (async () => {
      try {
        await loadSchemaFile(copy.url, SCHEMA);
        return await withOrm(copy.url, (orm) =>
          runMigrations(orm, { dryRun: true, cutover: { usersTable: 'Users', createdColumn: 'createdAt' } }),
        );
      } finally {
        await copy.drop();
      }
    })();
    expect(report.plan?.refusals.map((r) => `${r.object}: ${r.reason}`)).toEqual([
      'column Activities.UserId: is named like a user id but has no foreign key to Users',
    ]);
  });

  it('dry run without --created-column: the refusal names the timestamp columns the user table has', async () => {
    // a database of its own: this suite's is migrated by now, and a migrated database has no plan
    const copy = await createTestDatabase({ state: 'empty' });
    const report = await (async () => {
      try {
        await loadSchemaFile(copy.url, SCHEMA);
        await withOrm(copy.url, (orm) => runSql(orm, seedStatements()));
        return await withOrm(copy.url, (orm) =>
          runMigrations(orm, { dryRun: true, cutover: { usersTable: 'Users', references: [ACTIVITY_USER] } }),
        );
      } finally {
        await copy.drop();
      }
    })();
    expect(report.plan?.refusals).toEqual([
      expect.objectContaining({
        object: 'table Users',
        reason: 'has no creation column "date_joined" (its timestamp columns: "createdAt", "updatedAt")',
      }),
    ]);
    // no preflight counted them, and a table never analyzed has no estimate: the plan still shows its rows
    expect(report.plan?.tables.map((t) => [t.table, t.rows])).toEqual([['Users', USERS]]);
  });

  it("a team's own table named users (tableName: 'users') is not taken for the product's: converted like \"Users\"", async () => {
    const copy = await createTestDatabase({ state: 'empty' });
    try {
      await loadSchemaFile(copy.url, SCHEMA);
      await withOrm(copy.url, (orm) =>
        // what Sequelize makes with tableName: 'users', up to the constraints' names
        runSql(orm, [...seedStatements(), 'ALTER TABLE "Users" RENAME TO users']),
      );
      const config = { createdColumn: 'createdAt', references: [ACTIVITY_USER] };
      const plan = await withOrm(copy.url, (orm) => runMigrations(orm, { dryRun: true, cutover: config }));
      expect(plan.plan?.refusals).toEqual([]);
      await withOrm(copy.url, (orm) => runMigrations(orm, { cutover: config }));
      const after = await withOrm(copy.url, async (orm) => ({
        posts: await rows(
          orm,
          `SELECT count(*)::int AS n FROM "Posts" p JOIN users u ON u.id = p."authorId"`,
        ),
        constraints: (await constraintsAndIndexes(orm)).constraints
          .filter((k) => k.table === 'users')
          .map((k) => [k.name, k.definition, k.types]),
        productTables: await rows(
          orm,
          `SELECT to_regclass('user_exports')::text AS exports, to_regclass('account_deletions')::text AS deletions`,
        ),
      }));
      expect(after.posts).toEqual([{ n: USERS }]);
      // the product's account-lifecycle tables reference the product's users: none are made for this one
      expect(after.productTables).toEqual([{ exports: null, deletions: null }]);
      const plain = await withOrm(copy.url, (orm) => runMigrations(orm));
      expect(plain).toMatchObject({ applied: [], initialState: 'migrated' });
      // its own unique email constraint stays; the product's case-insensitive email index is not imposed
      expect(after.constraints).toEqual([
        ['Users_email_key', 'UNIQUE (email)', 'character varying(255)'],
        ['Users_pkey', 'PRIMARY KEY (id)', 'uuid'],
        ['users_slug_unique', 'UNIQUE (slug)', 'character varying(12)'],
      ]);
    } finally {
      await copy.drop();
    }
  });

  it('keeps every association, by natural keys, as it was', () => {
    expect(migrated.associations).toEqual(legacy.associations);
  });

  it('turns the user key and exactly its references into uuid, encoding "createdAt"', () => {
    const changed = migrated.schema.constraints
      .filter((k) => k.definition.startsWith('FOREIGN KEY') && k.types === 'uuid')
      .map((k) => `${k.table.replaceAll('"', '')}.${/\("?([^")]+)"?\)/.exec(k.definition)?.[1]}`);
    expect(changed.sort()).toEqual(USER_REFERENCES);
    expect(migrated.users.map((u) => u.email)).toEqual(legacy.users.map((u) => u.email));
    for (const u of migrated.users) {
      expect(uuidVersion(u.id)).toBe(6);
      expect(uuidV6Ticks(u.id) / 10n - GREGORIAN_OFFSET_US).toBe(BigInt(u.joined_us));
    }
    expect(new Set(migrated.users.map((u) => u.id)).size).toBe(USERS);
  });

  it('keeps every foreign key, primary key and unique constraint by name, with its actions and deferrability', () => {
    // what the cutover adds: the slug's unique constraint, its own map and MikroORM's migrations table
    const added = (name: string) =>
      /^(Users_slug_unique|legacy_user_ids_.*|mikro_orm_migrations_.*)$/.test(name);
    expect(migrated.schema.constraints.filter((k) => added(k.name)).map((k) => k.name)).toContain(
      'Users_slug_unique',
    );
    const withoutTypes = (k: State['schema']['constraints'][number]) => ({ ...k, types: undefined });
    expect(migrated.schema.constraints.filter((k) => !added(k.name)).map(withoutTypes)).toEqual(
      legacy.schema.constraints.map(withoutTypes),
    );
    expect(migrated.schema.constraints.find((k) => k.name === 'UserGroups_pkey')).toMatchObject({
      definition: 'PRIMARY KEY ("UserId", "GroupId")',
      types: 'uuid, integer',
    });
    expect(migrated.schema.constraints.find((k) => k.name === 'Follows_followerId_fkey')).toMatchObject({
      definition: 'FOREIGN KEY ("followerId") REFERENCES "Users"(id) ON UPDATE CASCADE ON DELETE CASCADE',
    });
    expect(migrated.schema.indexes.filter((i) => !added(i.name))).toEqual(legacy.schema.indexes);
  });

  it('leaves the tables outside the user graph as they were', () => {
    for (const table of ['Groups', 'Tags', 'PostTags'])
      expect(migrated.data[table]).toEqual(legacy.data[table]);
  });

  it('is a no-op when run again', async () => {
    const again = await withOrm(db.url, (orm) => runMigrations(orm, { cutover: CUTOVER }));
    expect(again).toMatchObject({ applied: [], initialState: 'migrated' });
    expect(await readState(db.url)).toEqual(migrated);
  });

  it('ON UPDATE CASCADE and ON DELETE SET NULL / CASCADE still act on the uuid keys', async () => {
    const [after] = await withOrm(db.url, async (orm) => {
      await runSql(orm, [
        `UPDATE "Users" SET id = '1ec00000-0000-6000-8000-000000000001' WHERE email = 'user1@example.com'`,
        `DELETE FROM "Users" WHERE email = 'user2@example.com'`,
      ]);
      return rows<{ groups: number; follows: number; comments_without_user: number; posts: number }>(
        orm,
        `SELECT (SELECT count(*)::int FROM "UserGroups" WHERE "UserId" = '1ec00000-0000-6000-8000-000000000001') AS groups,
                (SELECT count(*)::int FROM "Follows") AS follows,
                (SELECT count(*)::int FROM "Comments" WHERE "UserId" IS NULL) AS comments_without_user,
                (SELECT count(*)::int FROM "Posts" WHERE "authorId" IS NULL) AS posts`,
      );
    });
    expect(after).toEqual({
      groups: legacy.associations['user1@example.com']!.groups!.length,
      follows: USERS - 1 - 2, // user2 followed user1 and was followed by user3
      comments_without_user: 1, // the comment user2 wrote on post 1
      posts: 1, // user2's post: its author reference is ON DELETE SET NULL
    });
  });
});
