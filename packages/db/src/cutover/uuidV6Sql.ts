/**
 * SQL expressions that build and read UUIDv6 values with int8 arithmetic, following the layout of
 * `@org/ids` (RFC 9562 s5.6):
 *
 *   hi = time_high(32) time_mid(16) ver=6(4) time_low(12)   -- the 60-bit Gregorian 100-ns tick count
 *   lo = var=10(2) clock_seq(14) node(48, multicast bit set)
 *
 * PostgreSQL timestamps have microseconds, so the tick count is always a whole microsecond. The 62 bits after
 * the variant hold `k = hashfloat8extended(epoch seconds of the instant, seed)` (one value per instant, with a
 * per-run CSPRNG seed that is never stored; any function of the instant serves, and the float8 seconds are
 * the cheapest to read) plus the legacy integer id: the top 29 bits are k's, the low 33 bits are
 * `id + 2^31 + (k mod 2^31)`, which never carries into the bits above. So rows that share an instant share
 * everything but an offset-shifted copy of their legacy id: their ids are distinct and ordered by legacy id,
 * for any number of ties, with no sort or window over the table. Across instants the bits look random, and
 * without the seed an id does not give its legacy integer away (the id is internal anyway; slugs are public).
 *
 * Each expression is a pure function of the row (immutable, parallel safe): where the copy of users cannot
 * read its ids from the map's array it computes the same ids again, and PostgreSQL may compute them in
 * parallel workers.
 */

/** Microseconds between 1582-10-15 (the UUID epoch) and 1970-01-01. */
export const GREGORIAN_OFFSET_US = 12_219_292_800_000_000n;
/** Largest microsecond count (since 1582-10-15) whose 10 ticks still fit in 60 bits. */
export const MAX_GREGORIAN_US = (1n << 60n) / 10n - 1n;

/** Bits 33..61 and 0..30 of the per-instant hash: the part of the low half that rows of one instant share. */
const PER_INSTANT_BITS = 0x3fff_fffe_7fff_ffffn;
const VARIANT_BIT = -(1n << 63n);
const MULTICAST_BIT = 1n << 40n;

/** Exact microseconds since the Unix epoch as int8 (`extract` returns an exact numeric since PG 14). */
export function exactUnixMicrosSql(timestamp: string): string {
  return `(extract(epoch from ${timestamp}) * 1000000)::int8`;
}

/**
 * The same at about half the cost (measured on 2M rows): the float8 `date_part` is exact to the microsecond
 * while |seconds| < 2^31 (the rounding error stays under 0.5 us), so it serves 1902..2037 and the exact
 * numeric path the rest. `uuidV6Sql.pg.test.ts` compares the two around both bounds and on random instants.
 */
export function unixMicrosSql(timestamp: string): string {
  return `(CASE WHEN ${timestamp} > timestamptz '1902-01-01 00:00:00+00' AND ${timestamp} < timestamptz '2037-12-31 00:00:00+00' THEN (date_part('epoch', ${timestamp}) * 1000000)::int8 ELSE ${exactUnixMicrosSql(timestamp)} END)`;
}

/** The UUIDv6 of the row with integer key `id` created at `created` (see the module comment). */
export function uuidV6Sql(id: string, created: string, seed: bigint): string {
  const micros = unixMicrosSql(created);
  const hi = highHalfSql(micros);
  const lo = `(((hashfloat8extended(date_part('epoch', ${created}), ${seed}) & ${PER_INSTANT_BITS}) + (${id}::int8 + 2147483648)) | ${VARIANT_BIT} | ${MULTICAST_BIT})`;
  return uuidFromHalvesSql(hi, lo);
}

/** The uuid made of two int8 halves; there is no bytea-to-uuid cast, so the 16 bytes go through hex. */
function uuidFromHalvesSql(hi: string, lo: string): string {
  return `encode(int8send(${hi}) || int8send(${lo}), 'hex')::uuid`;
}

/** The first 8 bytes of a UUIDv6 as int8: the tick count of `micros` (int8 microseconds since the Unix epoch), version 6. */
function highHalfSql(micros: string): string {
  const ticks = `((${micros} + ${GREGORIAN_OFFSET_US}) * 10)`;
  return `(((${ticks} >> 12) << 16) | 24576 | (${ticks} & 4095))`;
}

/**
 * True when `bytes` (a uuid's 16 bytes, `uuid_send(id)`) are a version-6 RFC-variant UUID whose tick count is
 * exactly ten times `micros` (int8 microseconds since the Unix epoch) after the UUID epoch, for verification:
 * the first 8 bytes are exactly those of that instant and version, and the variant bits are 10. `micros` is
 * used three times, so pass a column, not an expression.
 */
export function isUuidV6OfInstantSql(bytes: string, micros: string): string {
  const inRange = `${micros} BETWEEN ${-GREGORIAN_OFFSET_US} AND ${MAX_GREGORIAN_US - GREGORIAN_OFFSET_US}`;
  return `(${inRange} AND substring(${bytes} FROM 1 FOR 8) = int8send(${highHalfSql(micros)}) AND (get_byte(${bytes}, 8) >> 6) = 2)`;
}

/**
 * `expression` as a column of a subquery, computed once per row however often the outer query reads it.
 * PostgreSQL pulls simple subqueries up into the outer query and would compute the expression at every use;
 * a volatile call in it (`clock_timestamp()`, which is never NULL and is parallel safe) keeps the subquery.
 */
export function oncePerRowSql(expression: string): string {
  return `CASE WHEN clock_timestamp() IS NULL THEN NULL ELSE ${expression} END`;
}
