import { Migration } from '@mikro-orm/migrations';
import { ensureLegacyMapKeys, runCutover } from '../cutover/runCutover.js';
import type { SqlExecutor } from '../cutover/SqlExecutor.js';

/**
 * Migration 2: the atomic cutover to UUIDv6 keys (see `runCutover`). Everything runs through `execute`, i.e.
 * immediately inside the migration transaction MikroORM opened, so the steps can read what earlier ones wrote
 * and an error anywhere rolls all of it back. `runMigrations` calls `runCutover` itself, with its options;
 * this class serves a plain `migrator.up()`, which runs the cutover with the default configuration.
 */
export class Migration20261125000100_uuidv6_cutover extends Migration {
  override async up(): Promise<void> {
    const sql: SqlExecutor = {
      query: async <T extends object>(query: string, params?: readonly unknown[]) =>
        (await this.execute(query, params ? [...params] : undefined)) as T[],
      run: async (query: string, params?: readonly unknown[]) => {
        const result = (await this.driver.execute(query, params ? [...params] : [], 'run', this.ctx)) as {
          affectedRows?: number;
        };
        return Number(result.affectedRows ?? 0);
      },
    };
    const embedded = this.driver.getPlatform().constructor.name.toLowerCase().includes('pglite');
    await runCutover(sql, { embedded });
    await ensureLegacyMapKeys(sql);
  }

  override down(): void {
    throw new Error(
      'the UUIDv6 cutover cannot be reverted: restore the pre-cutover backup, or translate ids through legacy_user_ids',
    );
  }
}
