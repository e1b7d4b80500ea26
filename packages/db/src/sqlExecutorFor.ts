import type { Transaction } from '@mikro-orm/core';
import type { AnyOrm } from './AnyOrm.js';
import type { SqlExecutor } from './cutover/SqlExecutor.js';

/** A `SqlExecutor` on an ORM's connection, inside `ctx` when given. */
export function sqlExecutorFor(orm: AnyOrm, ctx?: Transaction): SqlExecutor {
  const connection = orm.em.getConnection();
  return {
    query: async <T extends object>(query: string, params?: readonly unknown[]) =>
      (await connection.execute(query, params ? [...params] : [], 'all', ctx)) as unknown as T[],
    run: async (query: string, params?: readonly unknown[]) => {
      const result = (await connection.execute(query, params ? [...params] : [], 'run', ctx)) as unknown as {
        affectedRows?: number;
      };
      return Number(result.affectedRows ?? 0);
    },
  };
}
