import type { AnyOrm } from '../../src/index.js';

/**
 * Everything the catalog says about `tables` and the views that read them, as plain data: columns (type,
 * NOT NULL, default, identity, generated expression, collation, statistics target, ACL, comment), constraints
 * (definition, deferrability, validation, comment), indexes, triggers (definition, enabled state, comment),
 * policies, the table's owner, ACL, options, replica identity, row-security flags, comment and publications,
 * the sequences it owns (with their last value), and every view on it (definition, owner, ACL, options,
 * comment). Objects are keyed by name, so two snapshots compare with `toEqual`.
 */
export async function catalogSnapshot(
  orm: AnyOrm,
  tables: readonly string[],
): Promise<Record<string, Record<string, unknown>>> {
  const connection = orm.em.getConnection();
  const query = async <T = Record<string, unknown>>(sql: string, params: unknown[]) =>
    (await connection.execute(sql, params, 'all')) as unknown as T[];
  const snapshot: Record<string, Record<string, unknown>> = {};
  for (const table of tables) {
    const [relation] = await query<Record<string, unknown>>(
      `SELECT pg_get_userbyid(c.relowner) AS owner, c.relacl::text[] AS acl, c.reloptions AS options,
              c.relreplident AS replica_identity, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced_rls,
              obj_description(c.oid, 'pg_class') AS comment,
              (SELECT i.indexrelid::regclass::text FROM pg_index i WHERE i.indrelid = c.oid AND i.indisreplident) AS replica_index,
              ARRAY(SELECT p.pubname FROM pg_publication_rel r JOIN pg_publication p ON p.oid = r.prpubid
                     WHERE r.prrelid = c.oid ORDER BY 1)::text[] AS publications
         FROM pg_class c WHERE c.oid = ?::regclass`,
      [table],
    );
    const columns = await query(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
              pg_get_expr(d.adbin, d.adrelid) AS default, a.attidentity AS identity, a.attgenerated AS generated,
              co.collname AS collation, a.attstattarget AS statistics, a.attacl::text[] AS acl,
              col_description(a.attrelid, a.attnum) AS comment
         FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         LEFT JOIN pg_collation co ON co.oid = a.attcollation AND a.attcollation <> 100
        WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attname`,
      [table],
    );
    const constraints = await query(
      `SELECT conname AS name, pg_get_constraintdef(oid) AS definition, condeferrable AS deferrable,
              condeferred AS deferred, convalidated AS validated, obj_description(oid, 'pg_constraint') AS comment
         FROM pg_constraint WHERE conrelid = ?::regclass ORDER BY conname`,
      [table],
    );
    const indexes = await query(
      `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition, c.reloptions AS options,
              obj_description(c.oid, 'pg_class') AS comment
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = ?::regclass ORDER BY 1`,
      [table],
    );
    const triggers = await query(
      `SELECT tgname AS name, pg_get_triggerdef(oid) AS definition, tgenabled AS enabled,
              obj_description(oid, 'pg_trigger') AS comment
         FROM pg_trigger WHERE tgrelid = ?::regclass AND NOT tgisinternal ORDER BY 1`,
      [table],
    );
    const policies = await query(
      `SELECT policyname AS name, permissive, roles::text[] AS roles, cmd, qual, with_check,
              (SELECT obj_description(p.oid, 'pg_policy') FROM pg_policy p
                WHERE p.polrelid = ?::regclass AND p.polname = policyname) AS comment
         FROM pg_policies WHERE (schemaname || '.' || tablename)::regclass = ?::regclass ORDER BY 1`,
      [table, table],
    );
    const sequences = await query(
      `SELECT s.relname AS name, pg_sequence_last_value(s.oid) AS last_value
         FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
        WHERE d.refobjid = ?::regclass AND d.deptype IN ('a', 'i') ORDER BY 1`,
      [table],
    );
    const views = await query(
      `SELECT DISTINCT v.relname AS name, pg_get_viewdef(v.oid) AS definition, pg_get_userbyid(v.relowner) AS owner,
              v.relacl::text[] AS acl, v.reloptions AS options, obj_description(v.oid, 'pg_class') AS comment
         FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class v ON v.oid = r.ev_class
        WHERE d.refobjid = ?::regclass AND v.relkind = 'v' AND v.oid <> ?::regclass ORDER BY 1`,
      [table, table],
    );
    snapshot[table] = {
      ...relation,
      columns: byName(columns),
      constraints: byName(constraints),
      indexes: byName(indexes),
      triggers: byName(triggers),
      policies: byName(policies),
      sequences: byName(sequences),
      views: byName(views),
    };
  }
  return snapshot;
}

function byName(rows: Record<string, unknown>[]): Record<string, Record<string, unknown>> {
  return Object.fromEntries(rows.map(({ name, ...rest }) => [String(name), rest]));
}
