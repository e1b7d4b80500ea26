import { afterEach, describe, expect, it } from 'vitest';
import {
  DROP_LEGACY_MAP_MIGRATION,
  initOrm,
  LegacyMapMissingError,
  runMigrations,
  translateLegacyUserIds,
  UnknownMigrationError,
  UserIds,
} from '../src/index.js';
import { createTestDatabase, seedLegacyData, type TestDatabase } from '../src/testing/index.js';
import { rows } from './support/withOrm.js';

let db: TestDatabase | undefined;
afterEach(async () => {
  await db?.drop();
  db = undefined;
});

describe('legacy_user_ids', () => {
  it('translates old integer ids to the new user ids, skipping unknown ones', async () => {
    db = await createTestDatabase({ state: 'legacy' });
    await seedLegacyData(db.url, { users: 20 });
    const orm = await initOrm({ clientUrl: db.url });
    try {
      const emails = await rows<{ id: number; email: string }>(
        orm,
        'SELECT id, email FROM users WHERE id IN (3, 7)',
      );
      await runMigrations(orm);
      const map = await translateLegacyUserIds(orm, [3, 7, 7, 999]);
      expect([...map.keys()].sort()).toEqual([3, 7]);
      for (const { id, email } of emails) {
        const [user] = await rows<{ email: string }>(
          orm,
          `SELECT email FROM users WHERE id = '${map.get(id)}'`,
        );
        expect(user?.email).toBe(email);
        expect(UserIds.isId(map.get(id))).toBe(true);
      }
      expect((await translateLegacyUserIds(orm, [])).size).toBe(0);
      await expect(translateLegacyUserIds(orm, [1.5])).rejects.toThrow(TypeError);
    } finally {
      await orm.close(true);
    }
  });

  it('is dropped only by the explicit drop-legacy-map migration, after which translation fails clearly', async () => {
    db = await createTestDatabase({ state: 'migrated' });
    const plain = await initOrm({ clientUrl: db.url });
    try {
      await expect(runMigrations(plain, { to: 'drop_legacy_user_ids' })).rejects.toThrow(
        UnknownMigrationError,
      );
      expect((await runMigrations(plain)).applied).toEqual([]);
      expect(await translateLegacyUserIds(plain, [1])).toEqual(new Map());
    } finally {
      await plain.close(true);
    }
    const dropping = await initOrm({ clientUrl: db.url, dropLegacyMap: true });
    try {
      const report = await runMigrations(dropping);
      expect(report.applied).toEqual([DROP_LEGACY_MAP_MIGRATION]);
      await expect(translateLegacyUserIds(dropping, [1])).rejects.toThrow(LegacyMapMissingError);
      expect(await dropping.schema.getUpdateSchemaSQL()).toBe('');
    } finally {
      await dropping.close(true);
    }
    const later = await initOrm({ clientUrl: db.url });
    try {
      expect((await runMigrations(later)).applied).toEqual([]);
    } finally {
      await later.close(true);
    }
  });
});
