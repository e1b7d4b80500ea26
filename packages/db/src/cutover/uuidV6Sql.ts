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
 * The same, 3x cheaper: the float8 `date_part` is exact to the microsecond while |seconds| < 2^31 (the
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
 * A UUIDv6 for `timestamp` with tie rank `rank` (0-based, int8) and 64 pseudo-random bits `random`. The low
 * half holds the variant bits, then either 62 random bits (rank < 9) or the tie counter in 21 bits and 41
 * random ones, always with the node's multicast bit set (RFC 9562 s6.10). `random` is
 * `hashint8extended(legacy id, seed)` with a per-run CSPRNG seed that is never stored: these bits only make ids
 * unlinkable to the old integer, they are not secret (slugs are the public identifiers), and a CSPRNG call per
 * row (`gen_random_uuid()`, ~0.45 us) would cost seconds at millions of rows. There is no bytea-to-uuid cast,
 * so the 16 bytes go through hex.
 */
export function uuidV6Sql(timestamp: string, rank: string, random: string): string {
  const ticks = ticksSql(timestamp, rank);
  const hi = `(((${ticks} >> 12) << 16) | 24576 | (${ticks} & 4095))`;
  const lo = `(CASE WHEN ${rank} < 9 THEN (${random} & 4611686018427387903) ELSE ((${rank} - 9) << 41) | (${random} & 2199023255551) END | -9223372036854775808 | 1099511627776)`;
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

/**
 * A uniform 12-character Base62 slug from two `gen_random_uuid()` calls (a CSPRNG). Of each uuid, the 12
 * fully random bytes (0-5 and 9-14; bytes 6 and 8 carry version and variant bits) give 16 Base64 characters,
 * each uniform over 64 symbols; deleting '+' and '/' is rejection sampling, so the survivors are uniform over
 * the 62 Base62 symbols. 12 of 32 survive except with probability ~1e-23 (verification would then roll back).
 */
export function slugSql(): string {
  const bytes = `substr(overlay(uuid_send(gen_random_uuid()) placing ''::bytea from 7 for 3), 1, 12)`;
  return `left(translate(encode(${bytes} || ${bytes}, 'base64'), E'+/\\n', ''), 12)`;
}

/** The Base62 slug shape `@org/ids` accepts for users. */
export const SLUG_PATTERN = '^[0-9A-Za-z]{12}$';
