/**
 * Microseconds of lock time per row, per table (its copy, keys, foreign keys and verification), from the median
 * round of `pnpm bench` on a 2-core machine with 1 parallel worker (1M users, 1M profiles, 2M tokens, 1M social
 * accounts: 22.5 s). A rough guide: real times scale with row width, hardware and workers.
 */
const MICROS_PER_ROW: Readonly<Record<string, number>> = {
  users: 6,
  user_profiles: 3,
  verification_tokens: 4.5,
  social_accounts: 4.5,
};

/** A rough estimate of how long the cutover holds its locks for these row counts, in ms. */
export function estimateLockTime(rowCounts: Readonly<Record<string, number>>): number {
  let micros = 50_000;
  for (const [table, rows] of Object.entries(rowCounts)) micros += rows * (MICROS_PER_ROW[table] ?? 3);
  return Math.round(micros / 1000);
}
