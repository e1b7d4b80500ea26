import { UsageError } from '@org/cli';
import { DEMO_USERS } from './legacySystem.js';

export const MAX_USERS = 1_000_000;

export const DEMO_COMMAND = {
  name: 'pnpm demo',
  usage: `usage: pnpm demo [--users N]

Seeds a legacy system with integer keys (N users, default 10000, ${DEMO_USERS.length} to ${MAX_USERS.toLocaleString('en-US')}), cuts it over with
pnpm migrate, starts the new api and worker, uses them over HTTP, and cleans up.
  --users N   how many legacy users to seed (pnpm demo -- --users N works too)

Environment: REDIS_URL (default redis://127.0.0.1:6379); REDIS_CLUSTER_NODES (host:port,...: a Redis Cluster
instead); DATABASE_URL (default: an embedded PostgreSQL, PGlite); NO_COLOR disables bold headings. Exit code: 0 done, 1 a step failed, 2 usage.`,
  options: { users: { type: 'string', default: '10000' } },
} as const;

/** The number of users from `--users`; throws `UsageError` when it is not an integer in range. */
export function usersFrom(raw: string): number {
  const users = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(users) || users < DEMO_USERS.length || users > MAX_USERS) {
    throw new UsageError(
      `--users must be an integer from ${DEMO_USERS.length} to ${MAX_USERS}, got "${raw}"`,
    );
  }
  return users;
}
