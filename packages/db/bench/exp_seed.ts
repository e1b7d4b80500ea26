import { initOrm, runMigrations } from '../src/index.js';
import { adminSql, databaseUrl } from '../src/testing/adminSql.js';
import { seedLegacyData } from '../src/testing/index.js';

const name = 'exp_seed';
const users = Number(process.argv[2] ?? 1000000);
await adminSql([`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, `CREATE DATABASE ${name}`]);
const orm = await initOrm({ clientUrl: databaseUrl(name), poolMax: 2 });
await runMigrations(orm, { to: 'legacy_schema' });
await seedLegacyData(orm, { users, profiles: users, tokens: 2 * users, socialAccounts: users });
const c = orm.em.getConnection();
await c.execute(
  `CREATE TABLE orders (id serial PRIMARY KEY, user_id integer NOT NULL REFERENCES users(id), total numeric(10,2) NOT NULL, placed_at timestamptz NOT NULL DEFAULT now())`,
  [],
  'run',
);
await c.execute(
  `INSERT INTO orders (user_id, total, placed_at) SELECT 1 + (g * 7919) % ${users}, (g % 1000) / 10.0, timestamptz '2019-01-01' + g * interval '1 minute' FROM generate_series(1, ${users}) g`,
  [],
  'run',
);
await c.execute(`CREATE INDEX orders_user_id_idx ON orders(user_id)`, [], 'run');
await c.execute(
  `CREATE TABLE audit_events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, actor_id integer REFERENCES users(id) ON DELETE SET NULL, action text NOT NULL, at timestamptz NOT NULL)`,
  [],
  'run',
);
await c.execute(
  `INSERT INTO audit_events (actor_id, action, at) SELECT CASE WHEN g % 10 = 0 THEN NULL ELSE 1 + (g * 31) % ${users} END, 'action-' || (g % 17), timestamptz '2020-01-01' + g * interval '1 second' FROM generate_series(1, ${users}) g`,
  [],
  'run',
);
await c.execute(`CREATE INDEX audit_events_actor_idx ON audit_events(actor_id)`, [], 'run');
await c.execute('VACUUM ANALYZE', [], 'run');
await orm.close(true);
console.log('seeded');
