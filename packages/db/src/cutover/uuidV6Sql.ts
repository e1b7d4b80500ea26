/**
 * SQL expressions that build and read UUIDv6 values with int8 arithmetic, following the layout of
 * `@org/ids` (RFC 9562 s5.6):
 *
 *   hi = time_high(32) time_mid(16) ver=6(4) time_low(12)   -- the 60-bit Gregorian 100-ns tick count
 *   lo = var=10(2) clock_seq(14) node(48, multicast bit set)
 *
 * PostgreSQL timestamps have microseconds, i.e. 10 ticks, so rows that share a microsecond are ordered by a
 * tie rank `r` (0 for the first row of the instant, in legacy id order): r < 9 goes into the sub-microsecond
 * ticks (like `uuidv6Batch`, which advances by one tick per equal instant), from r = 9 on the ticks stay at
 * 9 and the top 21 bits after the variant (clock sequence and the node's first 7 bits) count r - 9. Either way
 * the id's instant truncated to microseconds is the row's timestamp, ids are unique by construction, and
 * ordering by id orders by (timestamp, legacy id).
 *
 * Every function here is immutable or parallel safe, so PostgreSQL may compute ids in parallel workers.
 */

/** Microseconds between 1582-10-15 (the UUID epoch) and 1970-01-01. */
export const GREGORIAN_OFFSET_US = 12_219_292_800_000_000n;
/** Largest microsecond count (since 1582-10-15) whose 10 ticks still fit in 60 bits. */
export const MAX_GREGORIAN_US = (1n << 60n) / 10n - 1n;
/** Rows sharing one microsecond that still get distinct, ordered ids (a bulk import in one transaction). */
export const MAX_TIES_PER_MICROSECOND = 9 + 2 ** 21;

/** Exact microseconds since the Unix epoch as int8 (`extract` returns an exact numeric since PG 14). */
export function unixMicrosSql(timestamp: string): string {
  return `(extract(epoch from ${timestamp}) * 1000000)::int8`;
}

/**
 * The same at about half the cost (measured on 2M rows): the float8 `date_part` is exact to the microsecond while |seconds| < 2^31 (the
 * rounding error stays under 0.5 us), so it serves 1902..2037 and the exact numeric path the rest. The
 * verification step recomputes every id's instant with `unixMicrosSql` independently.
 */
export function fastUnixMicrosSql(timestamp: string): string {
  return `(CASE WHEN ${timestamp} > timestamptz '1902-01-01 00:00:00+00' AND ${timestamp} < timestamptz '2037-12-31 00:00:00+00' THEN (date_part('epoch', ${timestamp}) * 1000000)::int8 ELSE ${unixMicrosSql(timestamp)} END)`;
}

/** The 60-bit tick count for `timestamp` with tie rank `rank` (int8 expressions). */
export function ticksSql(timestamp: string, rank: string): string {
  return `((${fastUnixMicrosSql(timestamp)} + ${GREGORIAN_OFFSET_US}) * 10 + least(${rank}, 9))`;
}

/**
 * The rows of `table` with three more columns: `r`, the tie rank among rows of the same `created` instant
 * (0 for the first, in legacy id order), and `hi` / `lo`, the two int8 halves of the row's UUIDv6. The low
 * half holds the variant bits, then either 62 random bits (r < 9) or the tie counter in 21 bits and 41
 * random ones, always with the node's multicast bit set (RFC 9562 s6.10). The random bits are
 * `hashint8extended(id, seed)` with a per-run CSPRNG `seed` that is never stored: they only make ids
 * unlinkable to the old integer, they are not secret (slugs are the public identifiers), and a CSPRNG call
 * per row (`gen_random_uuid()`, ~2 us here) would cost seconds at millions of rows.
 *
 * The rows come out sorted by (created, id), which is the order of their new ids, so the primary key is
 * built from presorted input. `OFFSET 0` keeps PostgreSQL from inlining the subqueries, which would compute
 * the tick count once per reference instead of once per row.
 */
export function withUuidV6PartsSql(table: string, created: string, seed: bigint): string {
  const ranked = `SELECT x.*, row_number() OVER (PARTITION BY x.${created} ORDER BY x.id) - 1 AS r FROM ${table} x`;
  const ticked = `SELECT w.*, ${ticksSql(`w.${created}`, 'w.r')} AS t FROM (${ranked}) w OFFSET 0`;
  const random = `hashint8extended(k.id, ${seed})`;
  return `SELECT k.*, (((k.t >> 12) << 16) | 24576 | (k.t & 4095)) AS hi,
                 (CASE WHEN k.r < 9 THEN (${random} & 4611686018427387903) ELSE ((k.r - 9) << 41) | (${random} & 2199023255551) END | -9223372036854775808 | 1099511627776) AS lo
            FROM (${ticked}) k`;
}

/** The uuid made of two int8 halves; there is no bytea-to-uuid cast, so the 16 bytes go through hex. */
export function uuidFromHalvesSql(hi: string, lo: string): string {
  return `encode(int8send(${hi}) || int8send(${lo}), 'hex')::uuid`;
}

/** The 60-bit tick count of a uuid column, read back from its bytes (for verification). */
export function uuidTicksSql(uuid: string): string {
  const b = `uuid_send(${uuid})`;
  const byte = (i: number) => `get_byte(${b}, ${i})::int8`;
  return `((${byte(0)} << 52) | (${byte(1)} << 44) | (${byte(2)} << 36) | (${byte(3)} << 28) | (${byte(4)} << 20) | (${byte(5)} << 12) | ((${byte(6)} & 15) << 8) | ${byte(7)})`;
}

/** True when a uuid column is version 6 with the RFC variant. */
export function isUuidV6Sql(uuid: string): string {
  return `((get_byte(uuid_send(${uuid}), 6) >> 4) = 6 AND (get_byte(uuid_send(${uuid}), 8) >> 6) = 2)`;
}
