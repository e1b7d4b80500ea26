/**
 * Cutover benchmark (a script, not a test): seeds a legacy database through SQL once, then, in each round, on
 * a fresh copy of it, measures a FLOOR (copying the four tables with CREATE TABLE AS and rebuilding the same
 * keys, indexes and foreign keys, then rolling back) and runs the real cutover. Prints every round and the
 * medians, with the ratio and the lock time; single rounds on this shared machine vary by a third.
 *
 *   pnpm --filter @org/db bench                 # 1M users, 1M profiles, 2M tokens, 1M social accounts, 5 rounds
 *   pnpm --filter @org/db bench -- --users 100000 --rounds 5 --parallel-workers 2
 *
 * The database server is this machine's (TEST_DATABASE_ADMIN_URL), so the cutover's parallel workers default
 * to this machine's cores minus one.
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

type FloorSteps = readonly (readonly [string, readonly string[]])[];

/** The issue's floor: the four tables copied, the legacy keys rebuilt. */
const FLOOR_STEPS: FloorSteps = [
  [
    'copy 4 tables (CREATE TABLE AS)',
    [
      'CREATE TABLE f_users AS SELECT * FROM users',
      'CREATE TABLE f_user_profiles AS SELECT * FROM user_profiles',
      'CREATE TABLE f_verification_tokens AS SELECT * FROM verification_tokens',
      'CREATE TABLE f_social_accounts AS SELECT * FROM social_accounts',
    ],
  ],
  [
    'keys and indexes',
    [
      'ALTER TABLE f_users ADD PRIMARY KEY (id)',
      'ALTER TABLE f_users ADD UNIQUE (email)',
      'ALTER TABLE f_user_profiles ADD PRIMARY KEY (id)',
      'ALTER TABLE f_user_profiles ADD UNIQUE (user_id)',
      'ALTER TABLE f_verification_tokens ADD PRIMARY KEY (id)',
      'CREATE INDEX ON f_verification_tokens (user_id)',
      'ALTER TABLE f_verification_tokens ADD UNIQUE (token_hash)',
      'ALTER TABLE f_social_accounts ADD PRIMARY KEY (id)',
      'CREATE INDEX ON f_social_accounts (user_id)',
      'ALTER TABLE f_social_accounts ADD UNIQUE (provider, uid)',
    ],
  ],
  [
    'foreign keys',
    [
      'ALTER TABLE f_user_profiles ADD FOREIGN KEY (user_id) REFERENCES f_users (id) ON DELETE CASCADE',
      'ALTER TABLE f_verification_tokens ADD FOREIGN KEY (user_id) REFERENCES f_users (id) ON DELETE CASCADE',
      'ALTER TABLE f_social_accounts ADD FOREIGN KEY (user_id) REFERENCES f_users (id) ON DELETE CASCADE',
    ],
  ],
];

/**
 * The same floor with the new schema's key choices where they differ from the legacy ones (one unique email
 * index, on lower(email) in collation "C"; token_hash, provider and uid compared byte by byte; (uid, provider)),
 * to show how much of the cutover's gain over the issue's floor comes from those choices.
 */
const NEW_KEYS_FLOOR_STEPS: FloorSteps = FLOOR_STEPS.map(([step, statements]) => [
  step,
  statements.map(
    (statement) =>
      ({
        'ALTER TABLE f_users ADD UNIQUE (email)':
          'CREATE UNIQUE INDEX ON f_users ((lower(email) COLLATE "C"))',
        'ALTER TABLE f_verification_tokens ADD UNIQUE (token_hash)':
          'CREATE UNIQUE INDEX ON f_verification_tokens (token_hash COLLATE "C")',
        'ALTER TABLE f_social_accounts ADD UNIQUE (provider, uid)':
          'CREATE UNIQUE INDEX ON f_social_accounts (uid COLLATE "C", provider COLLATE "C")',
      })[statement] ?? statement,
  ),
]);

interface Round {
  floor: CutoverStep[];
  floorMs: number;
  newKeysFloorMs: number;
  cutover: CutoverReport;
}

/** Seeds the legacy database that every round copies. */
async function seed(): Promise<void> {
  await adminSql([`CREATE DATABASE ${name}`]);
  const orm = await initOrm({ clientUrl: databaseUrl(name), poolMax: 2 });
  try {
    log(
      `bench database ${name}: seeding ${users.toLocaleString('en-US')} users, profiles, ${(2 * users).toLocaleString('en-US')} tokens, ${users.toLocaleString('en-US')} social accounts...`,
    );
    const t0 = performance.now();
    await runMigrations(orm, { to: 'legacy_schema' });
    await seedLegacyData(orm, { users, profiles: users, tokens: 2 * users, socialAccounts: users });
    await orm.em.getConnection().execute('VACUUM ANALYZE', [], 'run');
    log(`seeded in ${seconds(performance.now() - t0)}`);
  } finally {
    await orm.close(true);
  }
}

const totalMs = (steps: readonly CutoverStep[]) => steps.reduce((sum, s) => sum + s.ms, 0);

/** Runs `steps` in one transaction, rolled back, and returns how long each took. */
async function measureFloor(orm: Orm, steps: FloorSteps): Promise<CutoverStep[]> {
  const connection = orm.em.getConnection();
  await connection.execute('CHECKPOINT', [], 'run');
  const measured: CutoverStep[] = [];
  await connection
    .transactional(async (trx) => {
      await connection.execute(`SET LOCAL work_mem = '256MB'`, [], 'run', trx);
      await connection.execute(`SET LOCAL maintenance_work_mem = '1GB'`, [], 'run', trx);
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

async function round(index: number): Promise<Round> {
  const copy = `${name}_r${index}`;
  await adminSql([`CREATE DATABASE ${copy} TEMPLATE ${name} STRATEGY FILE_COPY`]);
  const orm = await initOrm({ clientUrl: databaseUrl(copy), poolMax: 2 });
  try {
    const connection = orm.em.getConnection();
    log(`round ${index}: floor (rolled back)...`);
    const floor = await measureFloor(orm, FLOOR_STEPS);
    log(`round ${index}: floor with the new key choices (rolled back)...`);
    const newKeysFloor = await measureFloor(orm, NEW_KEYS_FLOOR_STEPS);
    await connection.execute('CHECKPOINT', [], 'run');
    log(`round ${index}: cutover...`);
    const report = await runMigrations(orm, {
      parallelWorkers,
      onProgress: (e) => {
        if (e.phase === 'end') log(`  ${e.step}: ${seconds(e.ms ?? 0)}`);
      },
    });
    return {
      floor,
      floorMs: totalMs(floor),
      newKeysFloorMs: totalMs(newKeysFloor),
      cutover: report.cutover!,
    };
  } finally {
    await orm.close(true);
    await adminSql([`DROP DATABASE IF EXISTS ${copy} WITH (FORCE)`]);
  }
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
  const newKeysRatio = (r: Round) => r.cutover.lockHeldMs / r.newKeysFloorMs;
  const middle = [...results].sort((a, b) => ratio(a) - ratio(b))[(results.length - 1) >> 1]!;
  const lines = [
    `users ${users.toLocaleString('en-US')}, rows in all tables ${(5 * users).toLocaleString('en-US')}, ${rounds} round(s), ${parallelWorkers} parallel worker(s) per copy`,
    '',
    `round nearest the median ratio (round ${results.indexOf(middle) + 1}), floor:`,
    ...middle.floor.map((s) => `  ${s.name.padEnd(34)} ${seconds(s.ms).padStart(9)}`),
    `  ${'total'.padEnd(34)} ${seconds(middle.floorMs).padStart(9)}`,
    '',
    formatCutoverReport(middle.cutover),
    '',
    'round   floor      cutover (locks held, incl. commit)   lock wait   ratio    floor with new keys   ratio',
    ...results.map(
      (r, i) =>
        `${String(i + 1).padStart(5)}   ${seconds(r.floorMs).padStart(8)}   ${seconds(r.cutover.lockHeldMs).padStart(8)}                             ${`${r.cutover.lockWaitMs.toFixed(0)} ms`.padStart(9)}   ${ratio(r).toFixed(2)}x   ${seconds(r.newKeysFloorMs).padStart(19)}   ${newKeysRatio(r).toFixed(2)}x`,
    ),
    `median  ${seconds(median(results.map((r) => r.floorMs))).padStart(8)}   ${seconds(median(results.map((r) => r.cutover.lockHeldMs))).padStart(8)}                                         ${median(results.map(ratio)).toFixed(2)}x   ${seconds(median(results.map((r) => r.newKeysFloorMs))).padStart(19)}   ${median(results.map(newKeysRatio)).toFixed(2)}x`,
    "(goal: ratio <= 1.50x against the floor; the second floor builds the new schema's key choices instead)",
  ];
  console.log(lines.join('\n'));
} finally {
  await adminSql([`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
}
