import { isIP } from 'node:net';

/**
 * Which `X-Forwarded-For` entries the api believes (Fastify's `trustProxy`): none (`false`), the last
 * `n` hops (`n` proxies in front of the api, so the client is the entry `n` from the right), or the addresses
 * and CIDR ranges of the proxies (the client is the rightmost entry that is not one of them).
 */
export type TrustProxy = false | number | string[];

/** proxy-addr's named ranges, accepted in a list like addresses. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrRange(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Parses `TRUST_PROXY`: `false`/`0` (the default: the socket's address is the client), a hop count
 * (`1` = one load balancer; `true` is read as `1`), or a comma-separated list of proxy addresses/CIDRs.
 * Throws `Error` with a message fit for the environment report otherwise.
 *
 * @example
 * parseTrustProxy('10.0.0.0/8, 127.0.0.1'); // ['10.0.0.0/8', '127.0.0.1']
 */
export function parseTrustProxy(raw: string): TrustProxy {
  const value = raw.trim();
  if (value === '' || value === 'false' || value === '0') return false;
  // Fastify's `true` trusts every entry, so the leftmost one (which the client writes) would be the client.
  if (value === 'true') return 1;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 32) throw new Error(`a hop count must be 1..32, got ${value}`);
    return hops;
  }
  const entries = value.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => !isAddressOrRange(entry));
  if (bad.length > 0) {
    throw new Error(
      `expected false, a hop count, or a comma-separated list of proxy addresses/CIDRs; not an address or range: ${bad.map((entry) => JSON.stringify(entry)).join(', ')}`,
    );
  }
  return entries;
}
