import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureIo } from '@org/cli/testing';
import { initOrm } from '@org/db';
import { describe, expect } from 'vitest';
import { runMigrate } from '../src/runMigrate.js';
import type { MigrateSummary } from '../src/StepReport.js';
import { cutoverTest as test } from './cutoverTest.js';

/*
 * A file of its own: the legacy system of a test file is shared by its tests, and the dry runs here need it
 * still legacy (the other file's tests migrate theirs).
 */

async function migrate(env: Record<string, string>, ...argv: string[]) {
  const io = captureIo({ env });
  const code = await runMigrate(argv, io);
  return { code, summary: JSON.parse(io.out()) as MigrateSummary };
}

const statuses = (summary: MigrateSummary | undefined) =>
  Object.fromEntries((summary?.steps ?? []).map((s) => [s.step, s.status]));

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
    const refused = await migrate(legacy.env, '--dry-run', '--json');
    expect(refused.code).toBe(1);
    expect(statuses(refused.summary).database).toBe('failed');
    expect(refused.summary?.steps[0]?.summary).toContain('column notes.owner_id: is named like a user id');
    expect(refused.summary?.steps[0]?.summary).toContain('"action": "translate" | "ignore"');

    const dir = await mkdtemp(join(tmpdir(), 'migrate-config-'));
    try {
      const config = join(dir, 'cutover.json');
      await writeFile(
        config,
        JSON.stringify({ references: [{ table: 'notes', column: 'owner_id', action: 'ignore' }] }),
      );
      const planned = await migrate(legacy.env, '--dry-run', '--json', '--config', config);
      expect(planned.code).toBe(0);
      expect(statuses(planned.summary).database).toBe('planned');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
