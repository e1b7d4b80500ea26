import type { Queue } from 'bullmq';
import type { RedisConnection } from '../redisConnection.js';

/*
 * KEYS: wait, paused, delayed, prioritized, failed, events; then for each translated legacy job its hash,
 * `legacy-<id>` (its translation's hash), `:logs`, `:dependencies`, `:processed`, `:failed`, `:unsuccessful` and
 * its deduplication key (`de:<deid>`, or the job's hash again when it has none); then the hash of each job to
 * quarantine. Every key arrives in KEYS (Redis Cluster: no key name is built in Lua; all carry the queue
 * prefix's hash tag). ARGV: now, n, then the n translated ids, then their deduplication ids ('' for none), then
 * (id, reason) pairs of jobs to quarantine.
 * A job is only touched while it is waiting, paused, delayed or prioritized (never an active one), and a
 * translated one only while its deduplication id is still the one read. Lists are searched from the tail, where
 * BullMQ keeps the oldest jobs and where the step starts, so each LREM stops after a few elements instead of
 * walking the list.
 */
const FINISH = `
local rcall = redis.call
local now, n = ARGV[1], tonumber(ARGV[2])
local function takeOut(id)
  if rcall('ZREM', KEYS[3], id) == 1 then return 'delayed' end
  if rcall('ZREM', KEYS[4], id) == 1 then return 'prioritized' end
  if rcall('LREM', KEYS[1], -1, id) == 1 then return 'waiting' end
  if rcall('LREM', KEYS[2], -1, id) == 1 then return 'paused' end
  return false
end
local removed, quarantined = 0, 0
for i = 1, n do
  local id, deid = ARGV[2 + i], ARGV[2 + n + i]
  local k = 6 + (i - 1) * 8
  local key = KEYS[k + 1]
  if rcall('EXISTS', KEYS[k + 2]) == 1 and rcall('EXISTS', key) == 1 and (rcall('HGET', key, 'deid') or '') == deid then
    local prev = takeOut(id)
    if prev then
      if deid ~= '' and rcall('GET', KEYS[k + 8]) == id then rcall('DEL', KEYS[k + 8]) end
      rcall('DEL', key, KEYS[k + 3], KEYS[k + 4], KEYS[k + 5], KEYS[k + 6], KEYS[k + 7])
      rcall('XADD', KEYS[6], 'MAXLEN', '~', 10000, '*', 'event', 'removed', 'jobId', id, 'prev', prev)
      removed = removed + 1
    end
  end
end
local k = 6 + n * 8
for i = 3 + 2 * n, #ARGV, 2 do
  local id, reason = ARGV[i], ARGV[i + 1]
  k = k + 1
  if rcall('EXISTS', KEYS[k]) == 1 then
    local prev = takeOut(id)
    if prev then
      rcall('ZADD', KEYS[5], now, id)
      rcall('HSET', KEYS[k], 'failedReason', reason, 'finishedOn', now)
      rcall('XADD', KEYS[6], 'MAXLEN', '~', 10000, '*', 'event', 'failed', 'jobId', id, 'failedReason', reason,
        'prev', prev)
      quarantined = quarantined + 1
    end
  end
end
return { removed, quarantined }`;

export interface LegacyBatch {
  /**
   * Legacy jobs whose translation (`legacy-<id>`) was added: they are removed, and only if it exists; with the
   * deduplication id read from the job (its `de:` key is removed with it when it still names the job).
   */
  readonly translated: readonly { readonly id: string; readonly deduplicationId: string | undefined }[];
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
 * await finishLegacyBatch(redis, queue, {
 *   translated: [{ id: '7', deduplicationId: undefined }],
 *   quarantined: [{ id: '8', reason: '...' }],
 * });
 */
export async function finishLegacyBatch(
  redis: RedisConnection,
  queue: Queue,
  batch: LegacyBatch,
  now = Date.now(),
): Promise<{ removed: number; quarantined: number }> {
  if (batch.translated.length === 0 && batch.quarantined.length === 0) return { removed: 0, quarantined: 0 };
  const keys = queue.keys;
  const scriptKeys: string[] = [
    keys.wait as string,
    keys.paused as string,
    keys.delayed as string,
    keys.prioritized as string,
    keys.failed as string,
    keys.events as string,
  ];
  const args: (string | number)[] = [now, batch.translated.length];
  for (const { id, deduplicationId } of batch.translated) {
    const key = queue.toKey(id);
    scriptKeys.push(
      key,
      queue.toKey(`legacy-${id}`),
      `${key}:logs`,
      `${key}:dependencies`,
      `${key}:processed`,
      `${key}:failed`,
      `${key}:unsuccessful`,
      deduplicationId === undefined ? key : queue.toKey(`de:${deduplicationId}`),
    );
    args.push(id);
  }
  for (const { deduplicationId } of batch.translated) args.push(deduplicationId ?? '');
  for (const { id, reason } of batch.quarantined) {
    scriptKeys.push(queue.toKey(id));
    args.push(id, reason);
  }
  const [removed, quarantined] = (await redis.eval(FINISH, scriptKeys.length, ...scriptKeys, ...args)) as [
    number,
    number,
  ];
  return { removed, quarantined };
}
