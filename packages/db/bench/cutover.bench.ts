/**
 * Cutover benchmark (a script, not a test): seeds a legacy database through SQL once (1M users, 1M profiles,
 * 2M tokens, 1M social accounts, and two tables of the team's own with 1M rows each that reference users),
 * then, in each round, on two fresh copies of it, measures a FLOOR (copying every table of the user graph with
 * CREATE TABLE AS and building the target's keys, indexes and foreign keys, then rolling back) and runs the
 * real cutover, alternating which of the two runs first. Both get the same session settings. Prints every
 * round and the medians, with the ratio and the lock time; single rounds on this shared machine vary by a third.
 *
 *   pnpm --filter @org/db bench                 # the sizes above, 5 rounds
 *   pnpm --filter @org/db bench -- --users 100000 --rounds 5 --parallel-workers 2
 *
 * The database server is this machine's (TEST_DATABASE_ADMIN_URL), so parallel workers default to this
 * machine's cores minus one, for the floor and the cutover alike.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import {
  type CutoverReport,
  type CutoverStep,
  formatCutoverReport,
  initOrm,
  type Orm,
  runMigrations,
} from '../src/index.js';
import { adminSql, databaseUrl } from '../src/testing/adminSql.js';
import { seedLegacyData } from '../src/testing/index.js';

const { values } = parseArgs({
  // pnpm forwards a literal `--` when arguments follow `pnpm <script> --`.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    users: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '5' },
    'parallel-workers': { type: 'string', default: String(Math.max(0, availableParallelism() - 1)) },
  },
});
const users = Number(values.users);
const rounds = Math.max(1, Number(values.rounds));
const parallelWorkers = Number(values['parallel-workers']);
const name = `bench_db_${randomBytes(6).toString('hex')}`;
const log = (line: string) => process.stderr.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The session settings of the cutover's transaction, which the floor gets too. */
const SETTINGS = [
  `SET LOCAL work_mem = '1GB'`,
  `SET LOCAL maintenance_work_mem = '1GB'`,
  `SET LOCAL max_parallel_workers_per_gather = ${parallelWorkers}`,
  `SET LOCAL max_parallel_maintenance_workers = ${parallelWorkers}`,
];

/** The team's own tables: orders (serial key) and an audit log (identity key, nullable reference). */
const TEAM_TABLES = (n: number) => [
  `CREATE TABLE orders (id serial PRIMARY KEY, user_id integer NOT NULL REFERENCES users(id),
     total numeric(10,2) NOT NULL, placed_at timestamptz NOT NULL)`,
  `INSERT INTO orders (user_id, total, placed_at)
     SELECT 1 + (g::int8 * 7919) % ${n}, (g % 1000) / 10.0, timestamptz '2019-01-01' + g * interval '1 minute'
       FROM generate_series(1, ${n}) g`,
  'CREATE INDEX orders_user_id_idx ON orders (user_id)',
  `CREATE TABLE audit_events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     actor_id integer REFERENCES users(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
     action text NOT NULL, at timestamptz NOT NULL)`,
  `INSERT INTO audit_events (actor_id, action, at)
     SELECT CASE WHEN g % 10 = 0 THEN NULL ELSE 1 + (g::int8 * 31) % ${n} END, 'action-' || (g % 17),
            timestamptz '2020-01-01' + g * interval '1 second'
       FROM generate_series(1, ${n}) g`,
  'CREATE INDEX audit_events_actor_id_idx ON audit_events (actor_id)',
];

type FloorSteps = readonly (readonly [string, readonly string[]])[];

const TABLES = ['users', 'user_profiles', 'verification_tokens', 'social_accounts', 'orders', 'audit_events'];

/**
 * The floor: every table of the graph copied (the user table with a slug column, as the target has), and the
 * target's keys, indexes and foreign keys built on the copies: what any cutover to this schema pays at least.
 */
const FLOOR_STEPS: FloorSteps = [
  [
    'copy 6 tables (CREATE TABLE AS)',
    // users get a slug column as the target has, from the cheapest expression that makes one
    TABLES.map((t) =>
      t === 'users'
        ? `CREATE TABLE f_users AS SELECT *, substring(md5(id::text) FOR 12)::varchar(12) COLLATE "C" AS slug FROM users`
        : `CREATE TABLE f_${t} AS SELECT * FROM ${t}`,
    ),
  ],
  [
    'keys and indexes',
    [
      'ALTER TABLE f_users ADD PRIMARY KEY (id), ADD UNIQUE (slug)',
      'CREATE UNIQUE INDEX ON f_users ((lower(email) COLLATE "C"))',
      'ALTER TABLE f_user_profiles ADD PRIMARY KEY (id), ADD UNIQUE (user_id)',
      'ALTER TABLE f_verification_tokens ADD PRIMARY KEY (id)',
      'CREATE UNIQUE INDEX ON f_verification_tokens (token_hash COLLATE "C")',
      'CREATE INDEX ON f_verification_tokens (user_id)',
      'ALTER TABLE f_social_accounts ADD PRIMARY KEY (id)',
      'CREATE UNIQUE INDEX ON f_social_accounts (uid COLLATE "C", provider COLLATE "C")',
      'CREATE INDEX ON f_social_accounts (user_id)',
      'ALTER TABLE f_orders ADD PRIMARY KEY (id)',
      'CREATE INDEX ON f_orders (user_id)',
      'ALTER TABLE f_audit_events ADD PRIMARY KEY (id)',
      'CREATE INDEX ON f_audit_events (actor_id)',
    ],
  ],
  [
    'foreign keys',
    [
      'ALTER TABLE f_user_profiles ADD FOREIGN KEY (user_id) REFERENCES f_users (id) ON DELETE CASCADE',
      'ALTER TABLE f_verification_tokens ADD FOREIGN KEY (user_id) REFERENCES f_users (id) ON DELETE CASCADE',
      'ALTER TABLE f_social_accounts ADD FOREIGN KEY (user_id) REFERENCES f_users (id) ON DELETE CASCADE',
      'ALTER TABLE f_orders ADD FOREIGN KEY (user_id) REFERENCES f_users (id)',
      'ALTER TABLE f_audit_events ADD FOREIGN KEY (actor_id) REFERENCES f_users (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED',
    ],
  ],
];

interface Round {
  floor: CutoverStep[];
  floorMs: number;
  cutover: CutoverReport;
  floorFirst: boolean;
}

/** Seeds the legacy database that every round copies. */
async function seed(): Promise<void> {
  await adminSql([`CREATE DATABASE ${name}`]);
  const orm = await initOrm({ clientUrl: databaseUrl(name), poolMax: 2 });
  try {
    log(
      `bench database ${name}: seeding ${users.toLocaleString('en-US')} users, profiles, ${(2 * users).toLocaleString('en-US')} tokens, ${users.toLocaleString('en-US')} social accounts, ${users.toLocaleString('en-US')} orders and audit events...`,
    );
    const t0 = performance.now();
    await runMigrations(orm, { to: 'legacy_schema' });
    await seedLegacyData(orm, { users, profiles: users, tokens: 2 * users, socialAccounts: users });
    for (const statement of TEAM_TABLES(users)) await orm.em.getConnection().execute(statement, [], 'run');
    await orm.em.getConnection().execute('VACUUM ANALYZE', [], 'run');
    log(`seeded in ${seconds(performance.now() - t0)}`);
  } finally {
    await orm.close(true);
  }
}

const totalMs = (steps: readonly CutoverStep[]) => steps.reduce((sum, s) => sum + s.ms, 0);

/** Runs `steps` in one transaction with the cutover's settings, rolled back, and returns how long each took. */
async function measureFloor(orm: Orm, steps: FloorSteps): Promise<CutoverStep[]> {
  const connection = orm.em.getConnection();
  const measured: CutoverStep[] = [];
  await connection
    .transactional(async (trx) => {
      for (const setting of SETTINGS) await connection.execute(setting, [], 'run', trx);
      for (const [step, statements] of steps) {
        const s0 = performance.now();
        for (const statement of statements) await connection.execute(statement, [], 'run', trx);
        measured.push({ name: step, ms: performance.now() - s0 });
      }
      await connection.rollback(trx);
    })
    .catch((error: unknown) => {
      if (!String(error).includes('rollback') && !String(error).includes('Transaction')) throw error;
    });
  return measured;
}

/** Runs `work` on a fresh copy of the seeded database, after a checkpoint, and drops the copy. */
async function onCopy<T>(label: string, work: (orm: Orm) => Promise<T>): Promise<T> {
  const copy = `${name}_${label}`;
  await adminSql([`CREATE DATABASE ${copy} TEMPLATE ${name} STRATEGY FILE_COPY`, 'CHECKPOINT']);
  const orm = await initOrm({ clientUrl: databaseUrl(copy), poolMax: 2 });
  try {
    return await work(orm);
  } finally {
    await orm.close(true);
    await adminSql([`DROP DATABASE IF EXISTS ${copy} WITH (FORCE)`]);
  }
}

async function round(index: number): Promise<Round> {
  const floorFirst = index % 2 === 1;
  const floor = () =>
    onCopy(`f${index}`, (orm) => {
      log(`round ${index}: floor (rolled back)...`);
      return measureFloor(orm, FLOOR_STEPS);
    });
  const cutover = () =>
    onCopy(`c${index}`, async (orm) => {
      log(`round ${index}: cutover...`);
      const report = await runMigrations(orm, {
        parallelWorkers,
        onProgress: (e) => {
          if (e.phase === 'end') log(`  ${e.step}: ${seconds(e.ms ?? 0)}`);
        },
      });
      return { ...report.cutover!, totalMs: report.totalMs };
    });
  if (floorFirst) {
    const f = await floor();
    return { floor: f, floorMs: totalMs(f), cutover: await cutover(), floorFirst };
  }
  const c = await cutover();
  const f = await floor();
  return { floor: f, floorMs: totalMs(f), cutover: c, floorFirst };
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

try {
  await seed();
  const results: Round[] = [];
  for (let i = 1; i <= rounds; i++) results.push(await round(i));

  const ratio = (r: Round) => r.cutover.lockHeldMs / r.floorMs;
  // The whole run: from reading the catalog (and drawing slugs before the locks) to the commit.
  const wholeRatio = (r: Round) => r.cutover.totalMs / r.floorMs;
  const middle = [...results].sort((a, b) => ratio(a) - ratio(b))[(results.length - 1) >> 1]!;
  const lines = [
    `users ${users.toLocaleString('en-US')}, rows in all tables ${(7 * users).toLocaleString('en-US')}, ${rounds} round(s), ${parallelWorkers} parallel worker(s)`,
    '',
    `round nearest the median ratio (round ${results.indexOf(middle) + 1}), floor:`,
    ...middle.floor.map((s) => `  ${s.name.padEnd(34)} ${seconds(s.ms).padStart(9)}`),
    `  ${'total'.padEnd(34)} ${seconds(middle.floorMs).padStart(9)}`,
    '',
    formatCutoverReport(middle.cutover),
    '',
    'round   first     floor      locks held (incl. commit)   ratio      whole run   ratio   lock wait',
    ...results.map(
      (r, i) =>
        `${String(i + 1).padStart(5)}   ${(r.floorFirst ? 'floor' : 'cutover').padEnd(7)}  ${seconds(r.floorMs).padStart(8)}   ${seconds(r.cutover.lockHeldMs).padStart(25)}   ${`${ratio(r).toFixed(2)}x`.padStart(5)}   ${seconds(r.cutover.totalMs).padStart(10)}   ${`${wholeRatio(r).toFixed(2)}x`.padStart(5)}   ${`${r.cutover.lockWaitMs.toFixed(0)} ms`.padStart(9)}`,
    ),
    `median           ${seconds(median(results.map((r) => r.floorMs))).padStart(8)}   ${seconds(median(results.map((r) => r.cutover.lockHeldMs))).padStart(25)}   ${`${median(results.map(ratio)).toFixed(2)}x`.padStart(5)}   ${seconds(median(results.map((r) => r.cutover.totalMs))).padStart(10)}   ${`${median(results.map(wholeRatio)).toFixed(2)}x`.padStart(5)}`,
    '(goal: locks held <= 1.50x the floor, which copies the same tables and builds the same keys;',
    ' the whole run adds reading the catalog and drawing the slugs, before the locks)',
  ];
  console.log(lines.join('\n'));
} finally {
  await adminSql([`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
}
