import type { Orm } from './initOrm.js';
import type { PgliteOrm } from './initPgliteOrm.js';

/** Either ORM flavour: PostgreSQL (`initOrm`) or embedded (`initPgliteOrm`). */
export type AnyOrm = Orm | PgliteOrm;
