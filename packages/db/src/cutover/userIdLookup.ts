import { type LegacyIdRange, slotsAreDense } from './legacyIdRange.js';
import type { SqlExecutor } from './SqlExecutor.js';

/** SQL for the new user id of legacy user id `legacyId` (an int4 column of the copy's rows), from the array. */
export type ArrayLookup = (legacyId: string) => string;

/** 16M uuids (256 MB, held once by each process of a copy); more users than that use the hash join. */
const MAX_ARRAY_SLOTS = 16 * 1024 * 1024;
const NO_USER = `'00000000-0000-0000-0000-000000000000'::uuid`;

/** True when the legacy ids allow an array lookup: dense enough, not too many, subscripts fit int4. */
export function arrayLookupServes(range: LegacyIdRange, users: number): boolean {
  return slotsAreDense(range, users) && range.span <= MAX_ARRAY_SLOTS && range.min - 1 >= -(2 ** 31);
}

/**
 * Lays out the user ids of `legacy_user_ids` by legacy id where `arrayLookupServes`. Probing a hash of
 * `legacy_user_ids` is a cache miss or two in a table of ~60 bytes a user, a third of each child row's copy;
 * a uuid array with one slot per legacy id (unused slots hold NO_USER, since a subscript past a NULL is not
 * constant-time) is one 16-byte read. The array lives in a temporary table of this transaction and is sliced
 * (`ids[1:]`) in an initplan, so each copy detoasts it once. Children whose user does not exist cannot get
 * here (preflight), and would fail the NOT NULL check or the foreign key if they did.
 */
export async function buildArrayLookup(
  sql: SqlExecutor,
  range: LegacyIdRange,
  users: number,
): Promise<ArrayLookup> {
  await sql.run(
    range.span === users
      ? `CREATE TEMP TABLE user_ids_by_slot ON COMMIT DROP AS
           SELECT array_agg(user_id ORDER BY legacy_id) AS ids FROM legacy_user_ids`
      : `CREATE TEMP TABLE user_ids_by_slot ON COMMIT DROP AS
           SELECT array_agg(coalesce(m.user_id, ${NO_USER}) ORDER BY s.id) AS ids
             FROM generate_series(${range.min}, ${range.max}) s(id)
             LEFT JOIN legacy_user_ids m ON m.legacy_id = s.id`,
  );
  return (legacyId) => `(SELECT ids[1:] FROM user_ids_by_slot)[${legacyId} - (${range.min - 1})]`;
}
