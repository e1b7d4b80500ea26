import { ACCOUNT_LIFECYCLE_MIGRATION } from '@org/db';
import type { Em } from './context.js';
import { queryOne } from './sql.js';

/**
 * `migrated` once the latest migration the api's queries need (the account lifecycle tables, after the cutover) is recorded in
 * `mikro_orm_migrations`; `not migrated` for an empty database (no such table) or a legacy one. Other
 * failures (PostgreSQL out of reach) are thrown.
 *
 * @example
 * if ((await schemaStatus(emFor(ctx))) !== 'migrated') log.warn('run pnpm migrate');
 */
export async function schemaStatus(em: Em): Promise<'migrated' | 'not migrated'> {
  try {
    const row = await queryOne<{ recorded: boolean }>(
      em,
      'select exists(select 1 from mikro_orm_migrations where name = ?) as recorded',
      [ACCOUNT_LIFECYCLE_MIGRATION],
    );
    return row?.recorded === true ? 'migrated' : 'not migrated';
  } catch (error) {
    // undefined_table: nothing was ever migrated here.
    if ((error as { code?: unknown }).code === '42P01') return 'not migrated';
    throw error;
  }
}
