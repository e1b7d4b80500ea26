import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initOrm } from '@org/db';
import { describe, expect } from 'vitest';
import { migrateIn, statusesOf, cutoverTest as test } from './cutoverTest.js';

/*
 * A file of its own: the legacy system of a test file is shared by its tests, and the dry runs here need it
 * still legacy (the other file's tests migrate theirs).
 */

describe("pnpm migrate on a database with the team's own tables", () => {
  test('a dry run fails on a column that looks like a user id without a foreign key, naming the fix; declared, it plans', async ({
    legacy,
  }) => {
    const orm = await initOrm({ clientUrl: legacy.database.url, poolMax: 1 });
    try {
      await orm.em
        .getConnection()
        .execute('CREATE TABLE notes (id serial PRIMARY KEY, owner_id integer)', [], 'run');
    } finally {
      await orm.close(true);
    }
    const refused = await migrateIn(legacy.env, '--dry-run', '--json');
    expect(refused.code).toBe(1);
    expect(statusesOf(refused.summary).database).toBe('failed');
    expect(refused.summary?.steps[0]?.summary).toContain('column notes.owner_id: is named like a user id');
    expect(refused.summary?.steps[0]?.summary).toContain('"action": "translate" | "ignore"');

    const dir = await mkdtemp(join(tmpdir(), 'migrate-config-'));
    try {
      const config = join(dir, 'cutover.json');
      await writeFile(
        config,
        JSON.stringify({ references: [{ table: 'notes', column: 'owner_id', action: 'ignore' }] }),
      );
      const planned = await migrateIn(legacy.env, '--dry-run', '--json', '--config', config);
      expect(planned.code).toBe(0);
      expect(statusesOf(planned.summary).database).toBe('planned');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
