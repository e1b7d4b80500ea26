import type { AnyOrm } from '../../src/index.js';

/**
 * Everything a failed or refused migration must leave untouched: the columns, constraints, indexes and
 * sequences of the public schema, the migration history, and a hash of every row of the four tables.
 */
export async function databaseFingerprint(orm: AnyOrm): Promise<Record<string, unknown>> {
  const connection = orm.em.getConnection();
  const query = (sql: string) => connection.execute(sql, [], 'all');
  const columns = await query(
    `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
      WHERE table_schema = 'public' ORDER BY table_name, column_name`,
  );
  const constraints = await query(
    `SELECT conrelid::regclass::text AS t, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
      WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2`,
  );
  const indexes = await query(
    `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1`,
  );
  const sequences = await query(
    `SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1`,
  );
  const tables = await query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
  const history = (await query(`SELECT to_regclass('mikro_orm_migrations') IS NOT NULL AS present`))[0]
    ?.present
    ? await query('SELECT name FROM mikro_orm_migrations ORDER BY id')
    : [];
  const data: Record<string, unknown> = {};
  for (const table of ['users', 'user_profiles', 'verification_tokens', 'social_accounts']) {
    const exists = (await query(`SELECT to_regclass('${table}') IS NOT NULL AS present`))[0]?.present;
    data[table] = exists
      ? (
          await query(
            `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t.id::text), '')) AS h FROM ${table} t`,
          )
        )[0]
      : null;
  }
  return { tables, columns, constraints, indexes, sequences, history, data };
}
