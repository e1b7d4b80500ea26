import { type SharedOrmOptions, sharedOrmOptions } from './ormOptions.js';

export interface InitPgliteOrmOptions extends SharedOrmOptions {
  /** `'memory://'` for a throw-away database, or a folder that keeps it between runs. */
  readonly dbName: string;
}

/**
 * Creates a MikroORM instance on embedded PostgreSQL (`@mikro-orm/pglite`, an optional peer dependency)
 * with the same entities and migrations as `initOrm`: for demos and tools that need no server.
 *
 * @example
 * const orm = await initPgliteOrm({ dbName: 'memory://' });
 * await runMigrations(orm);
 */
export async function initPgliteOrm(options: InitPgliteOrmOptions) {
  const { MikroORM } = await import('@mikro-orm/pglite');
  return MikroORM.init({ ...sharedOrmOptions(options), dbName: options.dbName });
}

/** An embedded-PostgreSQL MikroORM instance as returned by `initPgliteOrm`. */
export type PgliteOrm = Awaited<ReturnType<typeof initPgliteOrm>>;
