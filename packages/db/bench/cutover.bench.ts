/**
 * Cutover benchmark (a script, not a test): seeds a legacy database through SQL, measures a FLOOR in the same
 * run (copying the four tables with CREATE TABLE AS and rebuilding the same keys, indexes and foreign keys,
 * then rolling back), runs the real cutover, and prints both with their ratio and the lock time.
 *
 *   pnpm --filter @org/db bench                 # 1M users, 1M profiles, 2M tokens, 1M social accounts
 *   pnpm --filter @org/db bench -- --users 100000
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { type CutoverStep, formatCutoverReport, initOrm, runMigrations } from '../src/index.js';
import { adminSql, databaseUrl } from '../src/testing/adminSql.js';
import { seedLegacyData } from '../src/testing/index.js';

const { values } = parseArgs({
  options: { users: { type: 'string', default: '1000000' }, keep: { type: 'boolean', default: false } },
});
const users = Number(values.users);
const name = `bench_db_${randomBytes(6).toString('hex')}`;
const url = databaseUrl(name);
const log = (line: string) => process.stderr.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const FLOOR_STEPS: readonly [string, readonly string[]][] = [
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

await adminSql([`CREATE DATABASE ${name}`]);
const orm = await initOrm({ clientUrl: url, poolMax: 2 });
try {
  log(
    `bench database ${name}: seeding ${users.toLocaleString('en-US')} users, profiles, ${(2 * users).toLocaleString('en-US')} tokens, ${users.toLocaleString('en-US')} social accounts...`,
  );
  await runMigrations(orm, { to: 'legacy_schema' });
  let t0 = performance.now();
  await seedLegacyData(orm, { users, profiles: users, tokens: 2 * users, socialAccounts: users });
  const connection = orm.em.getConnection();
  await connection.execute('VACUUM ANALYZE', [], 'run');
  await connection.execute('CHECKPOINT', [], 'run');
  log(`seeded in ${seconds(performance.now() - t0)}`);

  log('floor: CREATE TABLE AS + the same keys, indexes and foreign keys (rolled back)...');
  const floor: CutoverStep[] = [];
  await connection
    .transactional(async (trx) => {
      await connection.execute(`SET LOCAL work_mem = '256MB'`, [], 'run', trx);
      await connection.execute(`SET LOCAL maintenance_work_mem = '1GB'`, [], 'run', trx);
      for (const [step, statements] of FLOOR_STEPS) {
        const s0 = performance.now();
        for (const statement of statements) await connection.execute(statement, [], 'run', trx);
        floor.push({ name: step, ms: performance.now() - s0 });
      }
      await connection.rollback(trx);
    })
    .catch((error: unknown) => {
      if (!String(error).includes('rollback') && !String(error).includes('Transaction')) throw error;
    });
  const floorMs = floor.reduce((sum, s) => sum + s.ms, 0);
  await connection.execute('CHECKPOINT', [], 'run');

  log('cutover...');
  t0 = performance.now();
  const report = await runMigrations(orm, {
    onProgress: (e) => {
      if (e.phase === 'end') log(`  ${e.step}: ${seconds(e.ms ?? 0)}`);
    },
  });
  const wallMs = performance.now() - t0;
  const cutover = report.cutover!;

  const lines = [
    `users ${users.toLocaleString('en-US')}, rows in all tables ${(5 * users).toLocaleString('en-US')}`,
    '',
    'floor (same run):',
    ...floor.map((s) => `  ${s.name.padEnd(34)} ${seconds(s.ms).padStart(9)}`),
    `  ${'total'.padEnd(34)} ${seconds(floorMs).padStart(9)}`,
    '',
    formatCutoverReport(cutover),
    '',
    `cutover (locks held, incl. commit) ${seconds(cutover.lockHeldMs)}`,
    `migrate wall time                  ${seconds(wallMs)}`,
    `floor                              ${seconds(floorMs)}`,
    `ratio cutover / floor              ${(cutover.lockHeldMs / floorMs).toFixed(2)}x  (goal <= 1.50x)`,
  ];
  console.log(lines.join('\n'));
} finally {
  await orm.close(true);
  if (!values.keep) await adminSql([`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
}
