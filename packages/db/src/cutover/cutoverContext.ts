import { AsyncLocalStorage } from 'node:async_hooks';
import type { CutoverReport } from './CutoverReport.js';
import type { CutoverOptions } from './runCutover.js';

/** What `runMigrations` hands to the cutover migration, which MikroORM instantiates itself. */
export interface CutoverContext {
  readonly options: CutoverOptions;
  report?: CutoverReport;
}

export const cutoverContext = new AsyncLocalStorage<CutoverContext>();
