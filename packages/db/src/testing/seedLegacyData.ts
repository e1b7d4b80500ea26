import { pbkdf2Sync } from 'node:crypto';
import type { AnyOrm } from '../AnyOrm.js';
import { initOrm } from '../initOrm.js';

/** The password of every seeded user. */
export const SEED_PASSWORD = 'legacy-password';
/** Its hash in the legacy format `pbkdf2_sha256$<iterations>$<salt>$<base64 sha256>`. */
export const SEED_PASSWORD_HASH = legacyPasswordHash(SEED_PASSWORD, 'seedsalt0123', 10_000);

/** A password hash in the legacy application's format. */
export function legacyPasswordHash(password: string, salt: string, iterations: number): string {
  const hash = pbkdf2Sync(password, salt, iterations, 32, 'sha256').toString('base64');
  return `pbkdf2_sha256$${iterations}$${salt}$${hash}`;
}

export interface SeedLegacyDataOptions {
  readonly users: number;
  /** Users that get a profile (at most `users`); all of them by default. */
  readonly profiles?: number;
  /** 2 per user by default. */
  readonly tokens?: number;
  /** 1 per user by default, spread unevenly: some users have several, some none. */
  readonly socialAccounts?: number;
}

export interface SeededCounts {
  readonly users: number;
  readonly profiles: number;
  readonly tokens: number;
  readonly socialAccounts: number;
}

/**
 * Inserts realistic rows into a database that has the legacy schema, set-based (a million users take
 * seconds): emails `user<n>@example.com` (n continues after existing rows), password `SEED_PASSWORD`,
 * join dates spread over years with some exact ties, token purposes of both kinds, uneven social accounts.
 *
 * @example
 * const db = await createTestDatabase({ state: 'legacy' });
 * await seedLegacyData(db.url, { users: 1000 }); // or pass an ORM (e.g. embedded) instead of a URL
 */
export async function seedLegacyData(
  target: string | AnyOrm,
  options: SeedLegacyDataOptions,
): Promise<SeededCounts> {
  const users = Math.max(0, Math.floor(options.users));
  const profiles = Math.min(users, Math.max(0, Math.floor(options.profiles ?? users)));
  const tokens = users === 0 ? 0 : Math.max(0, Math.floor(options.tokens ?? users * 2));
  const socialAccounts = users === 0 ? 0 : Math.max(0, Math.floor(options.socialAccounts ?? users));
  const orm = typeof target === 'string' ? await initOrm({ clientUrl: target, poolMax: 1 }) : target;
  try {
    await orm.em.getConnection().transactional(async (trx) => {
      const run = (sql: string) => orm.em.getConnection().execute(sql, [], 'run', trx);
      await run(`CREATE TEMP TABLE seed_base ON COMMIT DROP AS
        SELECT coalesce((SELECT max(id) FROM users), 0) AS u,
               coalesce((SELECT max(id) FROM verification_tokens), 0) AS t,
               coalesce((SELECT max(id) FROM social_accounts), 0) AS s`);
      await run(`INSERT INTO users (email, password, first_name, last_name, is_active, is_staff, email_verified, date_joined, last_login)
        SELECT 'user' || (b.u + g) || '@example.com', '${SEED_PASSWORD_HASH}',
               (ARRAY['Ada','Grace','Alan','Edsger','Barbara','Donald','Frances','Ken','Radia','Linus'])[1 + g % 10],
               (ARRAY['Lovelace','Hopper','Turing','Dijkstra','Liskov','Knuth','Allen','Thompson','Perlman','Torvalds'])[1 + (g / 10) % 10],
               g % 50 <> 0, g % 1000 = 0, g % 3 <> 0,
               CASE WHEN g % 100 = 0 THEN date_trunc('minute', j) ELSE j END,
               CASE WHEN g % 4 = 0 THEN NULL ELSE j + interval '30 days' END
          FROM seed_base b, generate_series(1, ${users}) g,
               LATERAL (SELECT timestamptz '2014-01-01 00:00:00+00' + g * interval '97 seconds' + random() * interval '2 days' AS j) d`);
      await run(`INSERT INTO user_profiles (user_id, display_name, bio, avatar_url, created_at)
        SELECT u.id, u.first_name || ' ' || u.last_name, CASE WHEN u.id % 5 = 0 THEN '' ELSE 'Hello, I am user ' || u.id END,
               CASE WHEN u.id % 3 = 0 THEN NULL ELSE 'https://cdn.example.com/avatars/' || u.id || '.png' END,
               u.date_joined + random() * interval '1 hour'
          FROM users u, seed_base b WHERE u.id > b.u ORDER BY u.id LIMIT ${profiles}`);
      await run(`INSERT INTO verification_tokens (user_id, token_hash, purpose, created_at, expires_at, used_at)
        SELECT b.u + 1 + (g::int8 * 7919) % ${Math.max(users, 1)}, md5((b.t + g)::text) || md5('t' || (b.t + g)),
               CASE WHEN g % 3 = 0 THEN 'password_reset' ELSE 'email_verification' END,
               c, c + interval '1 day', CASE WHEN g % 2 = 0 THEN c + interval '5 minutes' ELSE NULL END
          FROM seed_base b, generate_series(1, ${tokens}) g,
               LATERAL (SELECT timestamptz '2018-01-01 00:00:00+00' + g * interval '43 seconds' + random() * interval '1 hour' AS c) d`);
      await run(`INSERT INTO social_accounts (user_id, provider, uid, extra_data, date_joined, last_login)
        SELECT b.u + 1 + ((g::int8 * g) % ${Math.max(users, 1)}),
               (ARRAY['github','google','gitlab','apple'])[1 + g % 4], 'uid-' || (b.s + g),
               jsonb_build_object('login', 'login' || (b.s + g), 'verified', g % 2 = 0),
               c, CASE WHEN g % 3 = 0 THEN NULL ELSE c + interval '2 days' END
          FROM seed_base b, generate_series(1, ${socialAccounts}) g,
               LATERAL (SELECT timestamptz '2016-06-01 00:00:00+00' + g * interval '71 seconds' + random() * interval '1 hour' AS c) d`);
    });
  } finally {
    if (typeof target === 'string') await orm.close(true);
  }
  return { users, profiles, tokens, socialAccounts };
}
