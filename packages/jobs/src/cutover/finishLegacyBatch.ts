import type { Queue } from 'bullmq';
import type { RedisConnection } from '../redisConnection.js';

/*
 * KEYS: wait, paused, delayed, prioritized, failed, events. ARGV: the queue's key prefix (`bull:jobs:`), now,
 * n, then n ids of translated legacy jobs, then (id, reason) pairs of jobs to quarantine.
 * A job is only touched while it is waiting, paused, delayed or prioritized (never an active one). Lists are
 * searched from the tail, where BullMQ keeps the oldest jobs and where the step starts, so each LREM stops
 * after a few elements instead of walking the list.
 */
const FINISH = `
local rcall = redis.call
local base, now, n = ARGV[1], ARGV[2], tonumber(ARGV[3])
local function takeOut(id)
  if rcall('ZREM', KEYS[3], id) == 1 then return 'delayed' end
  if rcall('ZREM', KEYS[4], id) == 1 then return 'prioritized' end
  if rcall('LREM', KEYS[1], -1, id) == 1 then return 'waiting' end
  if rcall('LREM', KEYS[2], -1, id) == 1 then return 'paused' end
  return false
end
local removed, quarantined = 0, 0
for i = 4, 3 + n do
  local id = ARGV[i]
  local key = base .. id
  if rcall('EXISTS', base .. 'legacy-' .. id) == 1 and rcall('EXISTS', key) == 1 then
    local prev = takeOut(id)
    if prev then
      local deid = rcall('HGET', key, 'deid')
      if deid and rcall('GET', base .. 'de:' .. deid) == id then rcall('DEL', base .. 'de:' .. deid) end
      rcall('DEL', key, key .. ':logs', key .. ':dependencies', key .. ':processed', key .. ':failed',
        key .. ':unsuccessful')
      rcall('XADD', KEYS[6], 'MAXLEN', '~', 10000, '*', 'event', 'removed', 'jobId', id, 'prev', prev)
      removed = removed + 1
    end
  end
end
for i = 4 + n, #ARGV, 2 do
  local id, reason = ARGV[i], ARGV[i + 1]
  if rcall('EXISTS', base .. id) == 1 then
    local prev = takeOut(id)
    if prev then
      rcall('ZADD', KEYS[5], now, id)
      rcall('HSET', base .. id, 'failedReason', reason, 'finishedOn', now)
      rcall('XADD', KEYS[6], 'MAXLEN', '~', 10000, '*', 'event', 'failed', 'jobId', id, 'failedReason', reason,
        'prev', prev)
      quarantined = quarantined + 1
    end
  end
end
return { removed, quarantined }`;

export interface LegacyBatch {
  /** Legacy jobs whose translation (`legacy-<id>`) was added: they are removed, and only if it exists. */
  readonly translated: readonly string[];
  /** Legacy jobs that go to the failed set as they are, with the reason. */
  readonly quarantined: readonly { readonly id: string; readonly reason: string }[];
}

/**
 * Ends a batch of legacy jobs in one atomic Lua script: removes each translated original, but only once its
 * translation exists (a crash between the add and this leaves both, never neither, and the rerun's add is a
 * no-op), and moves each quarantined job to the failed set with its data and options untouched (`job.retry()`
 * works on it like on any failed job). A job that is no longer waiting (already handled, or active) is left
 * alone, so a rerun changes nothing twice. Returns how many of each it changed.
 *
 * @example
 * await finishLegacyBatch(redis, queue, { translated: ['7'], quarantined: [{ id: '8', reason: '...' }] });
 */
export async function finishLegacyBatch(
  redis: RedisConnection,
  queue: Queue,
  batch: LegacyBatch,
  now = Date.now(),
): Promise<{ removed: number; quarantined: number }> {
  if (batch.translated.length === 0 && batch.quarantined.length === 0) return { removed: 0, quarantined: 0 };
  const keys = queue.keys;
  const args: (string | number)[] = [
    keys.wait as string,
    keys.paused as string,
    keys.delayed as string,
    keys.prioritized as string,
    keys.failed as string,
    keys.events as string,
    queue.toKey(''),
    now,
    batch.translated.length,
  ];
  for (const id of batch.translated) args.push(id);
  for (const { id, reason } of batch.quarantined) args.push(id, reason);
  const [removed, quarantined] = (await redis.eval(FINISH, 6, ...args)) as [number, number];
  return { removed, quarantined };
}
