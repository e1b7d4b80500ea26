import { describe, expect, it } from 'vitest';
import { exactUnixMicrosSql, unixMicrosSql } from '../src/cutover/uuidV6Sql.js';
import { adminQuery } from '../src/testing/adminSql.js';

describe('unixMicrosSql', () => {
  it('equals the exact numeric path around both bounds of its float8 range and on random instants', async () => {
    const instants = `(
      SELECT b + d * interval '1 microsecond' AS t
        FROM unnest(ARRAY[timestamptz '1902-01-01 00:00:00+00', timestamptz '2037-12-31 00:00:00+00',
                          timestamptz 'epoch', timestamptz '2000-01-01 00:00:00+00']) b,
             generate_series(-200000, 200000) d
      UNION ALL
      SELECT timestamptz '1902-01-01 00:00:00+00'
             + floor(random() * (extract(epoch from timestamptz '2038-01-01 00:00:00+00' - timestamptz '1902-01-01 00:00:00+00') * 1e6))::int8
             * interval '1 microsecond'
        FROM generate_series(1, 1000000)
      UNION ALL
      SELECT timestamptz '1582-10-15 00:00:00+00' + g * interval '13 days 1 hour 17.000123 seconds'
        FROM generate_series(0, 100000) g) i`;
    const [row] = await adminQuery<{ total: string; differ: string }>(
      `SELECT count(*)::int8 AS total, count(*) FILTER (WHERE ${unixMicrosSql('t')} <> ${exactUnixMicrosSql('t')})::int8 AS differ FROM ${instants}`,
    );
    expect(Number(row?.total)).toBe(4 * 400001 + 1_000_000 + 100001);
    expect(Number(row?.differ)).toBe(0);
  });
});
