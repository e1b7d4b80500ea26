import { uuidV6Ticks, uuidVersion } from '@org/ids';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MigrationRunReport, runMigrations } from '../src/index.js';
import type { TestDatabase } from '../src/testing/index.js';
import {
  associationsByEmail,
  constraintsAndIndexes,
  cutOverFixture,
  expectEveryAssociationSeeded,
  tableData,
} from './support/ormSchema.js';
import { rows, withOrm } from './support/withOrm.js';

/**
 * The cutover on the schema TypeORM's generated migration made (test/fixtures/typeorm: generate.mjs, schema.sql
 * captured with pg_dump; TypeORM is not needed here). Its conventions: a user table named `user` and a `group`
 * table (reserved words), hashed constraint names (`PK_…`, `FK_…`, `REL_…` for the UNIQUE reference of a
 * one-to-one, `IDX_…` on junction columns), `@CreateDateColumn` as `timestamp without time zone DEFAULT now()`,
 * a many-to-many junction whose composite primary key holds the user reference, and TypeORM's own `migrations`
 * table.
 */

const SCHEMA = new URL('./fixtures/typeorm/schema.sql', import.meta.url);
const CUTOVER = { usersTable: 'user', createdColumn: 'createdAt' } as const;
const GREGORIAN_OFFSET_US = 12_219_292_800_000_000n;
const USERS = 6;
/** Every column holding `user` ids, all through foreign keys, in the fixture's schema. */
const USER_REFERENCES = [
  'comment.authorId',
  'post.authorId',
  'post.reviewerId',
  'profile.userId',
  'user_groups_group.userId',
];

const user = (i: number) => `(SELECT id FROM "user" WHERE email = 'user${i}@example.com')`;
const post = (i: number) => `(SELECT id FROM post WHERE title = 'post ${i}')`;

/** What the generator's seed does through the entities, by SQL: ties, a user without profile, nullable reviewers. */
function seedStatements(): string[] {
  const statements = [
    `INSERT INTO "group" (name) VALUES ('admins'), ('editors'), ('readers')`,
    `INSERT INTO tag (label) VALUES ('news'), ('howto')`,
    `INSERT INTO migrations ("timestamp", name) VALUES (1733140000000, 'Init1733140000000')`,
  ];
  for (let i = 0; i < USERS; i++) {
    // users 2 and 3 signed up in the same microsecond; TypeORM writes the wall-clock time without a zone
    const joined = `timestamp '2021-01-01 12:00:00.123456' + interval '${i === 3 ? 2 : i} days'`;
    statements.push(
      `INSERT INTO "user" (email, "displayName", "createdAt", "updatedAt")
         VALUES ('user${i}@example.com', 'User ${i}', ${joined}, ${joined})`,
    );
  }
  for (let i = 0; i < USERS; i++) {
    if (i !== 5) statements.push(`INSERT INTO profile (bio, "userId") VALUES ('bio of ${i}', ${user(i)})`);
    statements.push(
      `INSERT INTO user_groups_group ("userId", "groupId") SELECT ${user(i)}, id FROM "group" WHERE (${i} + id) % 2 = 1`,
      `INSERT INTO post (title, "authorId", "reviewerId") VALUES ('post ${i}', ${user(i)}, ${i % 2 ? user(0) : 'NULL'})`,
      `INSERT INTO post_tags_tag ("postId", "tagId") SELECT ${post(i)}, id FROM tag WHERE (${i} + id) % 3 <> 1`,
      `INSERT INTO comment (body, "postId", "authorId") VALUES ('comment on ${i}', ${post(i)}, ${user((i + 1) % USERS)})`,
    );
  }
  return statements;
}

/** Per user email, the natural keys of each association, joined in SQL. */
const ASSOCIATIONS = {
  joined: `SELECT email, "createdAt"::text AS value FROM "user"`,
  profile: `SELECT u.email, p.bio AS value FROM profile p JOIN "user" u ON u.id = p."userId"`,
  groups: `SELECT u.email, g.name AS value FROM user_groups_group x
             JOIN "user" u ON u.id = x."userId" JOIN "group" g ON g.id = x."groupId"`,
  posts: `SELECT u.email, p.title || ' [' || coalesce(string_agg(t.label, ',' ORDER BY t.label), '') || ']' AS value
            FROM post p JOIN "user" u ON u.id = p."authorId"
            LEFT JOIN post_tags_tag pt ON pt."postId" = p.id LEFT JOIN tag t ON t.id = pt."tagId"
           GROUP BY u.email, p.title`,
  reviews: `SELECT u.email, p.title AS value FROM post p JOIN "user" u ON u.id = p."reviewerId"`,
  comments: `SELECT u.email, p.title || ': ' || c.body AS value
               FROM comment c JOIN "user" u ON u.id = c."authorId" JOIN post p ON p.id = c."postId"`,
};

interface State {
  associations: Awaited<ReturnType<typeof associationsByEmail>>;
  schema: Awaited<ReturnType<typeof constraintsAndIndexes>>;
  data: Record<string, unknown>;
  users: { id: string; email: string; wall_clock_us: string }[];
}

async function readState(url: string): Promise<State> {
  return withOrm(url, async (orm) => ({
    associations: await associationsByEmail(orm, ASSOCIATIONS),
    schema: await constraintsAndIndexes(orm),
    data: await tableData(orm),
    users: await rows(
      orm,
      // extract(epoch) of a timestamp without time zone: its wall-clock reading taken as UTC, in any session zone
      `SELECT id::text AS id, email, (extract(epoch FROM "createdAt") * 1000000)::int8::text AS wall_clock_us
         FROM "user" ORDER BY email`,
    ),
  }));
}

/** What the cutover adds: the slug's unique constraint, its own map and MikroORM's migrations table. */
const added = (name: string) => /^(user_slug_unique|legacy_user_ids_.*|mikro_orm_migrations_.*)$/.test(name);

describe('the cutover on a schema made by a TypeORM generated migration', () => {
  let db: TestDatabase;
  let legacy: State;
  let dryRun: MigrationRunReport;
  let afterDryRun: State;
  let migrated: State;

  beforeAll(async () => {
    ({ db, legacy, dryRun, afterDryRun, migrated } = await cutOverFixture({
      schema: SCHEMA,
      // a server whose sessions are not on UTC: the ids must not depend on it
      seed: (created) => [
        ...seedStatements(),
        `ALTER DATABASE ${created.name} SET timezone = 'America/New_York'`,
      ],
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

  it('dry run: finds every reference to "user" through its foreign key, refuses nothing, changes nothing', () => {
    expect(dryRun.plan?.refusals).toEqual([]);
    expect(dryRun.preflight?.problems).toEqual([]);
    const converts = dryRun.plan?.tables.flatMap((t) =>
      t.converts.filter((c) => c.includes('-> uuid (ids of')).map((c) => `${t.table}.${c.split(' ')[0]}`),
    );
    expect(converts?.sort()).toEqual(USER_REFERENCES);
    expect(afterDryRun).toEqual(legacy);
  });

  it('dry run: says how a creation column without time zone is read', () => {
    expect(dryRun.plan?.tables[0]).toMatchObject({
      table: 'user',
      converts: expect.arrayContaining([
        'id integer -> uuid (UUIDv6 of createdAt, a timestamp without time zone: its wall-clock time read as UTC)',
      ]),
    });
  });

  it('keeps every association, by natural keys, as it was', () => {
    expect(migrated.associations).toEqual(legacy.associations);
  });

  it('writes ids that are UUIDv6 of "createdAt" read as UTC, whatever the session time zone', () => {
    expect(migrated.users.map((u) => u.email)).toEqual(legacy.users.map((u) => u.email));
    for (const u of migrated.users) {
      expect(uuidVersion(u.id)).toBe(6);
      expect(uuidV6Ticks(u.id) / 10n - GREGORIAN_OFFSET_US).toBe(BigInt(u.wall_clock_us));
    }
    expect(new Set(migrated.users.map((u) => u.id)).size).toBe(USERS);
  });

  it('keeps the hashed PK_, FK_, REL_ and IDX_ names, actions and definitions; only the user columns turn uuid', () => {
    const withoutTypes = (k: State['schema']['constraints'][number]) => ({ ...k, types: undefined });
    expect(migrated.schema.constraints.filter((k) => !added(k.name)).map(withoutTypes)).toEqual(
      legacy.schema.constraints.map(withoutTypes),
    );
    expect(migrated.schema.constraints.map((k) => k.name)).toContain('user_slug_unique');
    expect(migrated.schema.indexes.filter((i) => !added(i.name))).toEqual(legacy.schema.indexes);
    const uuidForeignKeys = migrated.schema.constraints
      .filter((k) => k.definition.startsWith('FOREIGN KEY') && k.types === 'uuid')
      .map((k) => `${k.table}.${/\("?([^")]+)"?\)/.exec(k.definition)?.[1]}`);
    expect(uuidForeignKeys.sort()).toEqual(USER_REFERENCES);
    // the one-to-one's UNIQUE reference and the junction's composite primary key, on the uuid column
    const oneToOne = migrated.schema.constraints.find(
      (k) => k.table === 'profile' && k.name.startsWith('REL_'),
    );
    expect(oneToOne).toMatchObject({ definition: 'UNIQUE ("userId")', types: 'uuid' });
    const junction = migrated.schema.constraints.find(
      (k) => k.table === 'user_groups_group' && k.name.startsWith('PK_'),
    );
    expect(junction).toMatchObject({
      definition: 'PRIMARY KEY ("userId", "groupId")',
      types: 'uuid, integer',
    });
  });

  it("leaves the tables outside the user graph, TypeORM's migrations table among them, as they were", () => {
    for (const table of ['group', 'tag', 'post_tags_tag', 'migrations']) {
      expect(migrated.data[table], table).toEqual(legacy.data[table]);
    }
  });

  it('is a no-op when run again', async () => {
    const again = await withOrm(db.url, (orm) => runMigrations(orm, { cutover: CUTOVER }));
    expect(again).toMatchObject({ applied: [], initialState: 'migrated' });
    expect(await readState(db.url)).toEqual(migrated);
  });

  it('is a no-op when run again without the cutover configuration (a deploy that runs plain migrate)', async () => {
    for (const dryRun of [true, false]) {
      const again = await withOrm(db.url, (orm) => runMigrations(orm, { dryRun }));
      expect(again).toMatchObject({ applied: [], initialState: 'migrated' });
    }
    expect(await readState(db.url)).toEqual(migrated);
  });
});
