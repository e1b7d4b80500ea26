import { initOrm, type Orm } from '../initOrm.js';

/** The server-level database used to create and drop test databases. */
export function adminUrl(): string {
  return process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** Runs statements on the admin database (CREATE/DROP DATABASE cannot run inside a transaction). */
export async function adminSql(statements: readonly string[]): Promise<void> {
  await withAdminOrm(async (orm) => {
    for (const statement of statements) await orm.em.getConnection().execute(statement, [], 'run');
  });
}

/** Rows of a query on the admin database. */
export function adminQuery<T extends object>(query: string): Promise<T[]> {
  return withAdminOrm(
    async (orm) => (await orm.em.getConnection().execute(query, [], 'all')) as unknown as T[],
  );
}

async function withAdminOrm<T>(work: (orm: Orm) => Promise<T>): Promise<T> {
  const orm = await initOrm({ clientUrl: adminUrl(), poolMax: 1 });
  try {
    return await work(orm);
  } finally {
    await orm.close(true);
  }
}

/** The admin URL pointing at another database on the same server. */
export function databaseUrl(name: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}
