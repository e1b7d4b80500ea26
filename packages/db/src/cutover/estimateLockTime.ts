/**
 * Microseconds of lock time per row, per table, measured by `pnpm bench` on a 2-core machine (1M users,
 * 1M profiles, 2M tokens, 1M social accounts). A rough guide: real times scale with row width and hardware.
 */
const MICROS_PER_ROW: Readonly<Record<string, number>> = {
  users: 11,
  user_profiles: 7,
  verification_tokens: 9,
  social_accounts: 9,
};

/** A rough estimate of how long the cutover holds its locks for these row counts, in ms. */
export function estimateLockTime(rowCounts: Readonly<Record<string, number>>): number {
  let micros = 50_000;
  for (const [table, rows] of Object.entries(rowCounts)) micros += rows * (MICROS_PER_ROW[table] ?? 3);
  return Math.round(micros / 1000);
}
