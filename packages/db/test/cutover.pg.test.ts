import { compareUuids, isSlug, parseUuidV6, uuidV6Date, uuidV6Ticks, uuidVersion } from '@org/ids';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCOUNT_LIFECYCLE_MIGRATION,
  CUTOVER_MIGRATION,
  EMAIL_MATCHES_SQL,
  type MigrationRunReport,
  type Orm,
  runMigrations,
  SocialAccount,
  User,
  UserIds,
  UserProfile,
  VerificationToken,
} from '../src/index.js';
import { adminSql } from '../src/testing/adminSql.js';
import {
  createTestDatabase,
  SEED_PASSWORD_HASH,
  seedLegacyData,
  type TestDatabase,
} from '../src/testing/index.js';
import { databaseFingerprint } from './support/databaseFingerprint.js';
import { rows, withOrm } from './support/withOrm.js';

const GREGORIAN_OFFSET_US = 12_219_292_800_000_000n;
const TABLES = {
  users: { created: 'date_joined', key: 'email' },
  user_profiles: { created: 'created_at', key: 'user_id' },
  verification_tokens: { created: 'created_at', key: 'token_hash' },
  social_accounts: { created: 'date_joined', key: "provider || ':' || uid" },
} as const;
type Table = keyof typeof TABLES;

interface LegacyRow {
  legacy_id: number;
  natural_key: string;
  created_us: string;
  legacy_user_id: number | null;
  data: Record<string, unknown>;
}

const TIE_INSTANT = '2019-05-05 05:05:05.123456+00';
const EDGE_DATES = [
  '1600-01-01 00:00:00+00',
  '1901-12-13 20:45:52.000001+00',
  '1969-12-31 23:59:59.999999+00',
  '1970-01-01 00:00:00+00',
  '4000-01-01 12:00:00.5+00',
  '5236-03-30 00:00:00+00',
];

async function seedEdgeCases(orm: Orm): Promise<void> {
  const run = (sql: string) => orm.em.getConnection().execute(sql, [], 'run');
  // 30 users joined in the same microsecond: their ids differ only in the offset copy of the legacy id.
  await run(`INSERT INTO users (email, password, date_joined)
    SELECT 'tie' || g || '@example.com', '${SEED_PASSWORD_HASH}', timestamptz '${TIE_INSTANT}' FROM generate_series(1, 30) g`);
  await run(`INSERT INTO users (email, password, first_name, date_joined, last_login)
    SELECT 'edge' || i || '@example.com', '${SEED_PASSWORD_HASH}', 'Édouard ''quoted'' 😀', d::timestamptz, NULL
      FROM unnest(ARRAY['${EDGE_DATES.join("','")}']) WITH ORDINALITY AS e(d, i)`);
  await run(
    `INSERT INTO users (email, password, date_joined) VALUES ('Loner@Example.com', '${SEED_PASSWORD_HASH}', now())`,
  );
  const many = `(SELECT id FROM users WHERE email = 'edge3@example.com')`;
  await run(`INSERT INTO social_accounts (user_id, provider, uid, extra_data, date_joined)
    SELECT ${many}, 'github', 'many-' || g, jsonb_build_object('n', g, 'nested', jsonb_build_object('a', ARRAY[1,2])),
           timestamptz '1969-12-31 23:59:59.999999+00' + g * interval '1 microsecond' FROM generate_series(1, 60) g`);
  await run(`INSERT INTO user_profiles (user_id, display_name, bio, created_at)
    SELECT id, 'Edge', E'multi\\nline', date_joined FROM users WHERE email LIKE 'edge%'`);
  // tokens and profiles sharing one instant, across different users
  await run(`INSERT INTO verification_tokens (user_id, token_hash, purpose, created_at, expires_at)
    SELECT u.id, md5('tie' || u.id) || md5('tie2' || u.id), 'password_reset', timestamptz '${TIE_INSTANT}', timestamptz '${TIE_INSTANT}' + interval '1 hour'
      FROM users u WHERE u.email LIKE 'tie%'`);
  await run(`INSERT INTO user_profiles (user_id, created_at)
    SELECT u.id, timestamptz '${TIE_INSTANT}' FROM users u WHERE u.email LIKE 'tie%' AND u.id % 2 = 0`);
  // deleted accounts leave gaps in the legacy ids (their rows go with them, ON DELETE CASCADE)
  await run(`DELETE FROM users WHERE id % 97 = 0 AND email LIKE 'user%'`);
}

async function snapshotLegacy(orm: Orm, table: Table): Promise<LegacyRow[]> {
  const { created, key } = TABLES[table];
  const naturalKey = table === 'user_profiles' ? '(SELECT email FROM users u WHERE u.id = t.user_id)' : key;
  const userId = table === 'users' ? 'NULL' : 't.user_id';
  return rows<LegacyRow>(
    orm,
    `SELECT t.id AS legacy_id, ${naturalKey} AS natural_key, (extract(epoch from t.${created}) * 1000000)::int8::text AS created_us,
            ${userId} AS legacy_user_id, to_jsonb(t) - 'id' - 'user_id' AS data
       FROM ${table} t`,
  );
}

interface MigratedRow {
  id: string;
  natural_key: string;
  user_id: string | null;
  data: Record<string, unknown>;
}

async function snapshotMigrated(orm: Orm, table: Table): Promise<MigratedRow[]> {
  const { key } = TABLES[table];
  const naturalKey = table === 'user_profiles' ? '(SELECT email FROM users u WHERE u.id = t.user_id)' : key;
  const userId = table === 'users' ? 'NULL' : 't.user_id::text';
  const drop = table === 'users' ? " - 'slug'" : '';
  return rows<MigratedRow>(
    orm,
    `SELECT t.id::text AS id, ${naturalKey} AS natural_key, ${userId} AS user_id, to_jsonb(t) - 'id' - 'user_id'${drop} AS data FROM ${table} t`,
  );
}

describe('the cutover on a legacy database with a few thousand rows and edge cases', () => {
  let db: TestDatabase;
  let orm: Orm;
  let report: MigrationRunReport;
  const legacy = {} as Record<Table, LegacyRow[]>;
  const migrated = {} as Record<Table, MigratedRow[]>;
  let mapping: Map<number, string>;

  beforeAll(async () => {
    db = await createTestDatabase({ state: 'legacy' });
    // Parallel plans even for tables this small, so the copies run in workers here as they do at scale.
    await adminSql([`ALTER DATABASE ${db.name} SET min_parallel_table_scan_size = 0`]);
    await seedLegacyData(db.url, { users: 2500, profiles: 2000, tokens: 4000, socialAccounts: 2000 });
    orm = (await import('../src/index.js').then((m) => m.initOrm({ clientUrl: db.url }))) as Orm;
    await seedEdgeCases(orm);
    for (const table of Object.keys(TABLES) as Table[]) legacy[table] = await snapshotLegacy(orm, table);
    report = await runMigrations(orm);
    for (const table of Object.keys(TABLES) as Table[]) migrated[table] = await snapshotMigrated(orm, table);
    mapping = new Map(
      (
        await rows<{ legacy_id: number; user_id: string }>(
          orm,
          'SELECT legacy_id, user_id::text AS user_id FROM legacy_user_ids',
        )
      ).map((r) => [Number(r.legacy_id), r.user_id]),
    );
  });

  afterAll(async () => {
    await orm?.close(true);
    await db?.drop();
  });

  it('applies the cutover and reports every table with equal row counts', () => {
    expect(report.applied).toEqual([CUTOVER_MIGRATION, ACCOUNT_LIFECYCLE_MIGRATION]);
    expect(report.cutover?.outcome).toBe('migrated');
    for (const table of Object.keys(TABLES) as Table[]) {
      expect(report.cutover?.rowCounts[table]).toEqual({
        before: legacy[table].length,
        after: legacy[table].length,
      });
      expect(migrated[table]).toHaveLength(legacy[table].length);
    }
    expect(report.cutover?.rowCounts.legacy_user_ids?.after).toBe(legacy.users.length);
    expect(report.cutover?.steps.map((s) => s.name)).toContain('verify');
    expect(report.cutover?.lockHeldMs).toBeGreaterThan(0);
  });

  it('seeds the edge cases it claims to: users without tokens, one user with 60 accounts, gaps in the ids, shared instants, old and far dates', () => {
    const tokenUsers = new Set(legacy.verification_tokens.map((r) => r.legacy_user_id));
    expect(legacy.users.some((u) => !tokenUsers.has(u.legacy_id))).toBe(true);
    const perUser = new Map<number | null, number>();
    for (const r of legacy.social_accounts)
      perUser.set(r.legacy_user_id, (perUser.get(r.legacy_user_id) ?? 0) + 1);
    expect(Math.max(...perUser.values())).toBeGreaterThanOrEqual(60);
    const ids = legacy.users.map((u) => u.legacy_id);
    expect(Math.max(...ids) - Math.min(...ids) + 1).toBeGreaterThan(ids.length);
    const tieUs = legacy.users.filter((u) => u.natural_key.startsWith('tie')).map((u) => u.created_us);
    expect(new Set(tieUs).size).toBe(1);
    expect(legacy.users.some((u) => BigInt(u.created_us) < 0n)).toBe(true);
    expect(legacy.users.some((u) => BigInt(u.created_us) > 64_000_000_000_000_000n)).toBe(true);
  });

  it('replaces every key with a uuid and leaves no integer key, sequence or old constraint behind', async () => {
    const columns = await rows<{ table_name: string; column_name: string; data_type: string }>(
      orm,
      `SELECT table_name, column_name, data_type FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name IN ('users','user_profiles','verification_tokens','social_accounts')
          AND (column_name IN ('id', 'user_id') OR data_type IN ('integer', 'bigint', 'smallint'))`,
    );
    expect(columns.every((c) => c.data_type === 'uuid')).toBe(true);
    expect(columns).toHaveLength(7);
    expect(
      await rows(
        orm,
        `SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' AND sequencename <> 'mikro_orm_migrations_id_seq'`,
      ),
    ).toEqual([]);
    const constraints = await rows<{ conname: string }>(
      orm,
      `SELECT conname FROM pg_constraint WHERE connamespace = 'public'::regnamespace
         AND conrelid::regclass::text IN ('users','user_profiles','verification_tokens','social_accounts') ORDER BY 1`,
    );
    expect(constraints.map((c) => c.conname)).toEqual(
      [
        'social_accounts_pkey',
        'social_accounts_uid_provider_unique',
        'social_accounts_user_id_foreign',
        'user_profiles_pkey',
        'user_profiles_user_id_foreign',
        'user_profiles_user_id_unique',
        'users_pkey',
        'users_slug_unique',
        'verification_tokens_pkey',
        'verification_tokens_token_hash_unique',
        'verification_tokens_user_id_foreign',
      ].sort(),
    );
    const fkRules = await rows<{ def: string }>(
      orm,
      `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace`,
    );
    expect(fkRules.every((r) => r.def.includes('ON DELETE CASCADE'))).toBe(true);
  });

  it('keeps every column value and re-points every user_id through the mapping', () => {
    for (const table of Object.keys(TABLES) as Table[]) {
      const after = new Map(migrated[table].map((r) => [r.natural_key, r]));
      expect(after.size).toBe(migrated[table].length);
      for (const row of legacy[table]) {
        const now = after.get(row.natural_key);
        expect(now, `${table} ${row.natural_key}`).toBeDefined();
        expect(now!.data).toEqual(row.data);
        if (row.legacy_user_id !== null) expect(now!.user_id).toBe(mapping.get(row.legacy_user_id));
      }
    }
  });

  it('maps every legacy user id to its user once (legacy_user_ids is a bijection, and not a foreign key)', async () => {
    expect(mapping.size).toBe(legacy.users.length);
    const usersByEmail = new Map(migrated.users.map((u) => [u.natural_key, u.id]));
    for (const user of legacy.users)
      expect(mapping.get(user.legacy_id)).toBe(usersByEmail.get(user.natural_key));
    expect(new Set(mapping.values()).size).toBe(mapping.size);
    const refs = await rows(
      orm,
      `SELECT conname FROM pg_constraint WHERE contype = 'f' AND (conrelid = 'legacy_user_ids'::regclass OR confrelid = 'legacy_user_ids'::regclass)`,
    );
    expect(refs).toEqual([]);
  });

  it('writes ids that @org/ids reads back as v6 with the row creation instant, for every row of every table', () => {
    let checked = 0;
    for (const table of Object.keys(TABLES) as Table[]) {
      const byKey = new Map(legacy[table].map((r) => [r.natural_key, r]));
      for (const row of migrated[table]) {
        const source = byKey.get(row.natural_key)!;
        expect(parseUuidV6(row.id)).toBe(row.id);
        expect(uuidVersion(row.id)).toBe(6);
        const micros = BigInt(source.created_us);
        expect(uuidV6Ticks(row.id) / 10n - GREGORIAN_OFFSET_US).toBe(micros);
        const ms = micros >= 0n ? micros / 1000n : -((-micros + 999n) / 1000n);
        expect(uuidV6Date(row.id).getTime()).toBe(Number(ms));
        // RFC 9562 s6.10: a random node has the multicast bit set
        expect(Number.parseInt(row.id.slice(24, 26), 16) & 1).toBe(1);
        checked++;
      }
    }
    expect(checked).toBe(Object.values(legacy).reduce((n, rs) => n + rs.length, 0));
  });

  it('orders every table by id exactly as by (creation instant, legacy id), ties included', () => {
    for (const table of Object.keys(TABLES) as Table[]) {
      const newId = new Map(migrated[table].map((r) => [r.natural_key, r.id]));
      const expected = [...legacy[table]]
        .sort((a, b) => {
          const d = BigInt(a.created_us) - BigInt(b.created_us);
          return d < 0n ? -1 : d > 0n ? 1 : a.legacy_id - b.legacy_id;
        })
        .map((r) => newId.get(r.natural_key));
      const byId = migrated[table].map((r) => r.id).sort(compareUuids);
      expect(byId, table).toEqual(expected);
      expect(new Set(byId).size).toBe(byId.length);
    }
  });

  it('gives every user a unique 12-character Base62 slug', async () => {
    const slugs = await rows<{ slug: string }>(orm, 'SELECT slug FROM users');
    expect(slugs.every((s) => isSlug(s.slug, 12) && UserIds.isSlug(s.slug))).toBe(true);
    expect(new Set(slugs.map((s) => s.slug)).size).toBe(slugs.length);
  });

  it('serves case-insensitive email lookups (login, resend, reset) from an index, not a scan of every user', async () => {
    const connection = orm.em.getConnection();
    const trx = await connection.begin();
    try {
      await connection.execute('SET LOCAL enable_seqscan = off', [], 'run', trx);
      const plan = (await connection.execute(
        `EXPLAIN (FORMAT JSON) SELECT id FROM users WHERE ${EMAIL_MATCHES_SQL} LIMIT 1`,
        ['Ada@Example.com'],
        'all',
        trx,
      )) as { 'QUERY PLAN': unknown }[];
      expect(JSON.stringify(plan[0]?.['QUERY PLAN'])).toContain('"Index Name":"users_email_lower_unique"');
    } finally {
      await connection.rollback(trx);
    }
  });

  it('refuses an email that differs from an existing one only in case', async () => {
    const connection = orm.em.getConnection();
    const trx = await connection.begin();
    try {
      const [user] = (await connection.execute('SELECT email FROM users LIMIT 1', [], 'all', trx)) as {
        email: string;
      }[];
      const error = await connection
        .execute(
          `INSERT INTO users (id, slug, email, password, date_joined)
           VALUES (gen_random_uuid(), 'caseVariant1', upper(?), 'x', now())`,
          [user!.email],
          'run',
          trx,
        )
        .catch((e: unknown) => e);
      expect(String(error)).toContain('users_email_lower_unique');
    } finally {
      await connection.rollback(trx);
    }
  });

  it('leaves nothing for MikroORM schema diff to change', async () => {
    expect(await orm.schema.getUpdateSchemaSQL()).toBe('');
  });

  it('is a no-op when run again', async () => {
    const before = await databaseFingerprint(orm);
    const again = await runMigrations(orm);
    expect(again.applied).toEqual([]);
    expect(again.initialState).toBe('migrated');
    expect(await databaseFingerprint(orm)).toEqual(before);
  });

  it('serves the migrated rows through the entities, and new rows get v6 ids and slugs', async () => {
    const em = orm.em.fork();
    const user = await em.findOneOrFail(User, { email: 'edge3@example.com' });
    expect(UserIds.isId(user.id)).toBe(true);
    expect(await em.count(SocialAccount, { user })).toBe(60);
    const profile = await em.findOneOrFail(UserProfile, { user }, { populate: ['user'] });
    expect(profile.user.$.email).toBe('edge3@example.com');
    const fresh = em.create(User, { email: 'fresh@example.com', password: SEED_PASSWORD_HASH });
    em.create(VerificationToken, {
      user: fresh,
      tokenHash: 'f'.repeat(64),
      purpose: 'email_verification',
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    await em.flush();
    expect(uuidVersion(fresh.id)).toBe(6);
    expect(isSlug(fresh.slug, 12)).toBe(true);
    // the id encodes the creation instant, so among users who joined until now the new one sorts last
    const newest = await withOrm(db.url, (o) =>
      o.em.fork().find(User, { dateJoined: { $lte: new Date() } }, { orderBy: { id: 'desc' }, limit: 1 }),
    );
    expect(newest[0]?.email).toBe('fresh@example.com');
  });
});
