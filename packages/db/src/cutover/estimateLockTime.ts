/**
 * Microseconds of lock time per row, by what the cutover does to a table, from the median round of
 * `pnpm --filter @org/db bench` on a 2-core machine (see docs/bench-log.md). A rough guide: real times scale
 * with row width, indexes, hardware and workers.
 */
const MICROS_PER_ROW = {
  /** Its key becomes a UUIDv6 (and, for the user table, gets a slug). */
  key: 6,
  /** Only columns referencing a converted key change. */
  references: 3,
  /** Rows deleted, or text translated, or only foreign keys re-validated. */
  other: 1,
} as const;

export type TableWork = keyof typeof MICROS_PER_ROW;

/** A rough estimate of how long the cutover holds its locks, in ms. */
export function estimateLockTime(
  tables: readonly { readonly rows: number; readonly work: TableWork }[],
): number {
  let micros = 50_000;
  for (const table of tables) micros += table.rows * MICROS_PER_ROW[table.work];
  return Math.round(micros / 1000);
}
