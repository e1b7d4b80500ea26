import type { RedisClient } from '@org/sessions';

/** What the ledger knows about one token's email. */
export type LedgerState =
  | { state: 'claimed' }
  | { state: 'sent'; by: string }
  | { state: 'sending'; by: string; value: string };

/**
 * The idempotency record behind "never two emails for one token": one Redis key per token, moved
 * `(none) -> sending:<attempt> -> sent:<attempt>` with atomic commands. An attempt only delivers after it
 * has claimed the key; a finished delivery is recorded as `sent`, after which every retry skips.
 * A key left in `sending` by an attempt that died mid-delivery is the one ambiguous case; the caller
 * resolves it (see `sendTokenEmail`).
 */
export interface DeliveryLedger {
  claim(tokenId: string, attempt: string): Promise<LedgerState>;
  /** Replaces a stale `sending` value with ours, only if it is still exactly `staleValue`. */
  takeOver(tokenId: string, staleValue: string, attempt: string): Promise<boolean>;
  markSent(tokenId: string, attempt: string): Promise<void>;
  /** Drops our claim after a delivery that certainly failed, so a retry may send. */
  release(tokenId: string, attempt: string): Promise<void>;
  read(tokenId: string): Promise<string | null>;
}

const CLAIM = `
local current = redis.call('GET', KEYS[1])
if current then return current end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return false`;

const COMPARE_AND_SET = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  return 1
end
return 0`;

const COMPARE_AND_DELETE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface DeliveryLedgerOptions {
  /** One Redis or a Redis Cluster: every command and script touches one key, so any slot will do. */
  redis: RedisClient;
  /** Key prefix, e.g. `bull:jobs:` so the ledger lives (and is cleaned) with its queue. */
  keyPrefix: string;
  /** How long a record is kept; longer than any token lives (default 30 days). */
  ttlSeconds?: number;
}

export function createDeliveryLedger(options: DeliveryLedgerOptions): DeliveryLedger {
  const { redis } = options;
  const ttl = options.ttlSeconds ?? 30 * 24 * 3600;
  const key = (tokenId: string) => `${options.keyPrefix}email-delivery:${tokenId}`;
  return {
    async claim(tokenId, attempt) {
      const current = (await redis.eval(CLAIM, 1, key(tokenId), `sending:${attempt}`, ttl)) as string | null;
      if (current === null) return { state: 'claimed' };
      const [state, ...rest] = current.split(':');
      if (state === 'sent') return { state: 'sent', by: rest.join(':') };
      return { state: 'sending', by: rest.join(':'), value: current };
    },
    async takeOver(tokenId, staleValue, attempt) {
      return (
        (await redis.eval(COMPARE_AND_SET, 1, key(tokenId), staleValue, `sending:${attempt}`, ttl)) === 1
      );
    },
    async markSent(tokenId, attempt) {
      await redis.set(key(tokenId), `sent:${attempt}`, 'EX', ttl);
    },
    async release(tokenId, attempt) {
      await redis.eval(COMPARE_AND_DELETE, 1, key(tokenId), `sending:${attempt}`);
    },
    read: (tokenId) => redis.get(key(tokenId)),
  };
}
