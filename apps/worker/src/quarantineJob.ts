import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

const QUARANTINE = `
local jobId = ARGV[1]
if redis.call('EXISTS', KEYS[6]) == 0 then return 0 end
local removed = redis.call('LREM', KEYS[1], 0, jobId) + redis.call('LREM', KEYS[2], 0, jobId)
  + redis.call('ZREM', KEYS[3], jobId) + redis.call('ZREM', KEYS[4], jobId)
if removed == 0 then return 0 end
redis.call('ZADD', KEYS[5], ARGV[3], jobId)
redis.call('HSET', KEYS[6], 'failedReason', ARGV[2], 'finishedOn', ARGV[3])
redis.call('XADD', KEYS[7], 'MAXLEN', '~', 10000, '*', 'event', 'failed', 'jobId', jobId,
  'failedReason', ARGV[2], 'prev', 'waiting')
return 1`;

/**
 * Moves a waiting, delayed or prioritized job straight to the failed set with a reason, keeping its data
 * and options untouched (BullMQ's own `moveToFailed` only applies to an active, locked job). One Lua script,
 * so the job is in exactly one place at every instant; `job.retry()` works on the result as on any failed
 * job. Returns false when the job is no longer in one of those states (already moved: a rerun is a no-op).
 */
export async function quarantineJob(
  redis: Redis,
  queue: Queue,
  jobId: string,
  reason: string,
  now = Date.now(),
): Promise<boolean> {
  const keys = queue.keys;
  const moved = await redis.eval(
    QUARANTINE,
    7,
    keys.wait as string,
    keys.paused as string,
    keys.delayed as string,
    keys.prioritized as string,
    keys.failed as string,
    queue.toKey(jobId),
    keys.events as string,
    jobId,
    reason,
    now,
  );
  return moved === 1;
}
