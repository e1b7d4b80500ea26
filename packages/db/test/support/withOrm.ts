import { initOrm, type Orm } from '../../src/index.js';

/** Runs `work` with a short-lived ORM on `url`. */
export async function withOrm<T>(url: string, work: (orm: Orm) => Promise<T>): Promise<T> {
  const orm = await initOrm({ clientUrl: url });
  try {
    return await work(orm);
  } finally {
    await orm.close(true);
  }
}

/** Rows of a query on `orm`. */
export async function rows<T = Record<string, unknown>>(orm: Orm, sql: string): Promise<T[]> {
  return (await orm.em.getConnection().execute(sql, [], 'all')) as unknown as T[];
}
