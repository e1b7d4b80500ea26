/*
 * Why the api reads with raw SQL (docs/decisions.md): GET /me's read, `findMe` (one raw query, users left join
 * user_profiles, mapped by hand), against the same read through MikroORM's entity manager (`findOne(UserProfile)`
 * populating its user: one joined query, two hydrated entities, mapped to the same `Me`). Same database, same ORM
 * and connection pool, a fresh fork per lookup on both sides (as `emFor` gives each request), both warmed up,
 * the same users in the same order, the two sides alternating which runs first; each round is `--lookups`
 * lookups over `--concurrency` concurrent callers. Prints lookups/s per side and the ratio, per round and median.
 * Usage: pnpm --filter @org/api bench:read
 *        [-- --users 10000 --rounds 6 --lookups 4000 --concurrency 16]
 */
import { isDeepStrictEqual } from 'node:util';
import { parseArgvOrExit } from '@org/cli';
import { type UserId, UserProfile } from '@org/db';
import type { Em } from '../src/context.js';
import { toIsoString } from '../src/sql.js';
import { findMe } from '../src/users/userQueries.js';
import type { Me } from '../src/users/userSchemas.js';
import { median, openMigratedDatabase } from './benchSupport.js';

const values = parseArgvOrExit({
  name: 'me read bench',
  usage:
    'usage: pnpm --filter @org/api bench:read [-- --users 10000 --rounds 6 --lookups 4000 --concurrency 16]',
  options: {
    users: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '6' },
    lookups: { type: 'string', default: '4000' },
    concurrency: { type: 'string', default: '16' },
  },
});
const rounds = Number(values.rounds);
const lookups = Number(values.lookups);
const concurrency = Number(values.concurrency);

/** The same read through the entity manager: the profile with its user, joined, hydrated, then mapped. */
async function findMeThroughEntities(em: Em, id: UserId): Promise<Me | null> {
  const profile = await em.findOne(UserProfile, { user: { id, isActive: true } }, { populate: ['user'] });
  if (profile === null) return null;
  const user = profile.user.getEntity();
  return {
    slug: user.slug,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    emailVerified: user.emailVerified,
    dateJoined: toIsoString(user.dateJoined),
    profile: { displayName: profile.displayName, bio: profile.bio, avatarUrl: profile.avatarUrl ?? null },
  };
}

const database = await openMigratedDatabase(Number(values.users));
const { orm } = database;
try {
  const rows = await orm.em
    .fork()
    .execute<{ id: UserId }[]>('select id from users where is_active', [], 'all');
  const ids = rows.map((row) => row.id).sort(() => Math.random() - 0.5);
  console.error(`seeded ${values.users} legacy users and migrated them; ${ids.length} active`);

  const sides = {
    raw: (id: UserId) => findMe(orm.em.fork(), id),
    entities: (id: UserId) => findMeThroughEntities(orm.em.fork(), id),
  };
  type Side = keyof typeof sides;

  // Fair only if both read the same thing.
  for (const id of ids.slice(0, 200)) {
    const [raw, entities] = [await sides.raw(id), await sides.entities(id)];
    if (raw === null || !isDeepStrictEqual(raw, entities)) {
      throw new Error(
        `the two reads differ for ${id}: ${JSON.stringify(raw)} vs ${JSON.stringify(entities)}`,
      );
    }
  }

  let kept = 0;
  async function measure(side: Side, offset: number): Promise<number> {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < lookups) {
          const id = ids[(offset + next++) % ids.length]!;
          if ((await sides[side](id)) !== null) kept++;
        }
      }),
    );
    return lookups / ((performance.now() - started) / 1000);
  }

  for (const side of ['raw', 'entities', 'raw', 'entities'] as const) await measure(side, 0);
  const results: Record<Side, number[]> = { raw: [], entities: [] };
  for (let round = 0; round < rounds; round++) {
    const order: Side[] = round % 2 === 0 ? ['raw', 'entities'] : ['entities', 'raw'];
    const offset = round * lookups;
    for (const side of order) results[side].push(await measure(side, offset));
    console.log(
      `round ${round + 1} (${order.join(' first, ')} second): raw ${results.raw.at(-1)!.toFixed(0)}/s, ` +
        `entities ${results.entities.at(-1)!.toFixed(0)}/s, raw/entities ${(results.raw.at(-1)! / results.entities.at(-1)!).toFixed(2)}x`,
    );
  }
  if (kept !== (rounds + 2) * lookups * 2) throw new Error(`only ${kept} lookups found their user`);
  const ratios = results.raw.map((raw, i) => raw / results.entities[i]!);
  console.log(
    `users=${values.users} lookups=${lookups} concurrency=${concurrency} rounds=${rounds}: ` +
      `raw ${median(results.raw).toFixed(0)}/s, entities ${median(results.entities).toFixed(0)}/s (medians); ` +
      `raw/entities median ${median(ratios).toFixed(2)}x, range ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}x`,
  );
} finally {
  await database.close();
}
