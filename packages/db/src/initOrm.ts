import { MikroORM } from '@mikro-orm/postgresql';
import { type SharedOrmOptions, sharedOrmOptions } from './ormOptions.js';

export interface InitOrmOptions extends SharedOrmOptions {
  /** e.g. `postgres://postgres@127.0.0.1:5432/app` */
  readonly clientUrl: string;
  /** Pool size; the migrate command needs one connection. */
  readonly poolMax?: number;
}

/**
 * Creates a MikroORM instance for PostgreSQL with the user-system entities and migrations. It connects
 * lazily; call `orm.close()` when done.
 *
 * @example
 * const orm = await initOrm({ clientUrl: process.env.DATABASE_URL! });
 * const user = await orm.em.fork().findOneOrFail(User, { slug });
 */
export async function initOrm(options: InitOrmOptions) {
  return MikroORM.init({
    ...sharedOrmOptions(options),
    clientUrl: options.clientUrl,
    ...(options.poolMax === undefined ? {} : { pool: { max: options.poolMax } }),
  });
}

/** A PostgreSQL MikroORM instance as returned by `initOrm`. */
export type Orm = Awaited<ReturnType<typeof initOrm>>;
