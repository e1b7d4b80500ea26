import { uuidV6Ticks, uuidVersion } from '@org/ids';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from '../src/index.js';
import type { TestDatabase } from '../src/testing/index.js';
import {
  associationsByEmail,
  constraintsAndIndexes,
  cutOverFixture,
  tableData,
} from './support/ormSchema.js';
import { rows, withOrm } from './support/withOrm.js';

/**
 * The cutover on the schema TypeORM's `synchronize` made for newer conventions (test/fixtures/typeorm-identity):
 * the user table's key is an identity column (`@PrimaryGeneratedColumn('identity')`), and a one-to-one shares
 * its primary key with the user's (settings."accountId" is its key and its foreign key to account).
 */

const SCHEMA = new URL('./fixtures/typeorm-identity/schema.sql', import.meta.url);
const CUTOVER = { usersTable: 'account', createdColumn: 'createdAt' } as const;
const GREGORIAN_OFFSET_US = 12_219_292_800_000_000n;
const ACCOUNTS = 4;

const account = (i: number) => `(SELECT id FROM account WHERE email = 'account${i}@example.com')`;

function seedStatements(): string[] {
  const statements: string[] = [];
  for (let i = 0; i < ACCOUNTS; i++) {
    statements.push(
      `INSERT INTO account (email, "createdAt") VALUES ('account${i}@example.com', timestamptz '2022-03-0${i + 1} 08:00:00.5+00')`,
    );
    if (i !== 3)
      statements.push(`INSERT INTO settings ("accountId", theme) VALUES (${account(i)}, 'theme ${i}')`);
    for (let k = 0; k < i; k++) {
      statements.push(`INSERT INTO api_key (label, "accountId") VALUES ('key ${i}.${k}', ${account(i)})`);
    }
  }
  return statements;
}

const ASSOCIATIONS = {
  joined: `SELECT email, "createdAt"::text AS value FROM account`,
  settings: `SELECT a.email, s.theme AS value FROM settings s JOIN account a ON a.id = s."accountId"`,
  apiKeys: `SELECT a.email, k.label AS value FROM api_key k JOIN account a ON a.id = k."accountId"`,
};

async function readState(url: string) {
  return withOrm(url, async (orm) => ({
    associations: await associationsByEmail(orm, ASSOCIATIONS),
    schema: await constraintsAndIndexes(orm),
    data: await tableData(orm),
    columns: await rows<{ column: string; type: string; identity: string }>(
      orm,
      `SELECT c.relname || '.' || a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
              a.attidentity::text AS identity
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relname IN ('account', 'settings', 'api_key') AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1`,
    ),
    accounts: await rows<{ id: string; joined_us: string }>(
      orm,
      `SELECT id::text AS id, (extract(epoch FROM "createdAt") * 1000000)::int8::text AS joined_us FROM account`,
    ),
  }));
}

type State = Awaited<ReturnType<typeof readState>>;

describe('the cutover on a TypeORM schema whose user key is an identity column, with a shared-key one-to-one', () => {
  let db: TestDatabase;
  let legacy: State;
  let migrated: State;

  beforeAll(async () => {
    ({ db, legacy, migrated } = await cutOverFixture({
      schema: SCHEMA,
      seed: seedStatements,
      cutover: CUTOVER,
      readState,
    }));
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('keeps every association, by natural keys, as it was', () => {
    expect(Object.keys(legacy.associations)).toHaveLength(ACCOUNTS);
    expect(migrated.associations).toEqual(legacy.associations);
  });

  it('turns the identity key into UUIDv6 of createdAt, and the shared key with it; api_key keeps its identity', () => {
    expect(legacy.columns.find((c) => c.column === 'account.id')).toEqual({
      column: 'account.id',
      type: 'integer',
      identity: 'd',
    });
    const changed = migrated.columns.filter((c) => {
      const before = legacy.columns.find((l) => l.column === c.column);
      return before !== undefined && before.type !== c.type;
    });
    expect(changed).toEqual([
      { column: 'account.id', type: 'uuid', identity: '' },
      { column: 'api_key.accountId', type: 'uuid', identity: '' },
      { column: 'settings.accountId', type: 'uuid', identity: '' },
    ]);
    expect(migrated.columns.find((c) => c.column === 'api_key.id')).toMatchObject({ identity: 'd' });
    for (const a of migrated.accounts) {
      expect(uuidVersion(a.id)).toBe(6);
      expect(uuidV6Ticks(a.id) / 10n - GREGORIAN_OFFSET_US).toBe(BigInt(a.joined_us));
    }
  });

  it('keeps every constraint and index by name; the shared primary key is still the foreign key', () => {
    const own = (name: string) =>
      /^(account_slug_unique|legacy_user_ids_.*|mikro_orm_migrations_.*)$/.test(name);
    const withoutTypes = (k: State['schema']['constraints'][number]) => ({ ...k, types: undefined });
    expect(migrated.schema.constraints.filter((k) => !own(k.name)).map(withoutTypes)).toEqual(
      legacy.schema.constraints.map(withoutTypes),
    );
    expect(migrated.schema.indexes.filter((i) => !own(i.name))).toEqual(legacy.schema.indexes);
    expect(
      migrated.schema.constraints.filter((k) => k.table === 'settings').map((k) => [k.definition, k.types]),
    ).toEqual([
      ['FOREIGN KEY ("accountId") REFERENCES account(id) ON DELETE CASCADE', 'uuid'],
      ['PRIMARY KEY ("accountId")', 'uuid'],
    ]);
  });

  it('drops the identity and its sequence, and is a no-op when run again', async () => {
    const sequences = await withOrm(db.url, (orm) =>
      rows<{ name: string }>(orm, `SELECT relname AS name FROM pg_class WHERE relkind = 'S' ORDER BY 1`),
    );
    expect(sequences.map((s) => s.name)).toEqual(['api_key_id_seq', 'mikro_orm_migrations_id_seq']);
    const again = await withOrm(db.url, (orm) => runMigrations(orm, { cutover: CUTOVER }));
    expect(again).toMatchObject({ applied: [], initialState: 'migrated' });
    expect(await readState(db.url)).toEqual(migrated);
  });
});
