import { Job, type JobsOptions, type Queue } from 'bullmq';
import type { RedisConnection } from '../redisConnection.js';
import { isLegacyJobName, type LegacyJobName } from './legacyJobs.js';

/** A legacy job as stored, decoded just enough to decide its fate. */
export interface LegacyJob {
  readonly id: string;
  readonly name: LegacyJobName;
  /** The payload; `undefined` when it is not JSON at all (the job is then quarantined as it is). */
  readonly data: unknown;
  readonly opts: JobsOptions;
  readonly timestamp: number;
  readonly attemptsMade: number;
  /** The due time of a delayed job (ms since the epoch), from its score in the delayed set. */
  readonly dueAt: number | undefined;
  /** BullMQ's deduplication id (`deid`), if the job was added with one: its `de:` key goes with the job. */
  readonly deduplicationId: string | undefined;
}

/** Every job id waiting, paused (BullMQ < 5), prioritized or delayed, oldest first, and the delayed jobs' scores. */
export interface WaitingJobIds {
  readonly ids: readonly string[];
  readonly delayedScores: ReadonlyMap<string, number>;
}

const PAGE = 10_000;

/**
 * Snapshots the ids of every job that has not started, with plain reads (LRANGE, ZRANGE): nothing is written,
 * which BullMQ's `getRanges` cannot promise (it pops a deprecated marker off the wait list). List ids come
 * tail first, the order in which BullMQ hands them out and in which the step removes them cheaply.
 */
export async function snapshotWaitingJobIds(redis: RedisConnection, queue: Queue): Promise<WaitingJobIds> {
  const keys = queue.keys;
  const ids: string[] = [];
  for (const list of [keys.wait, keys.paused] as string[]) {
    const length = await redis.llen(list);
    for (let end = -1; -end <= length; end -= PAGE) {
      const page = await redis.lrange(list, Math.max(-length, end - PAGE + 1), end);
      for (let i = page.length - 1; i >= 0; i -= 1) ids.push(page[i] as string);
    }
  }
  for (let start = 0; ; start += PAGE) {
    const page = await redis.zrange(keys.prioritized as string, start, String(start + PAGE - 1));
    ids.push(...page);
    if (page.length < PAGE) break;
  }
  const delayedScores = new Map<string, number>();
  for (let start = 0; ; start += PAGE) {
    const page = (await redis.zrange(
      keys.delayed as string,
      start,
      String(start + PAGE - 1),
      'WITHSCORES',
    )) as string[];
    for (let i = 0; i < page.length; i += 2) {
      const id = page[i] as string;
      ids.push(id);
      delayedScores.set(id, Number(page[i + 1]));
    }
    if (page.length < 2 * PAGE) break;
  }
  return { ids: [...new Set(ids)], delayedScores };
}

/**
 * Reads the hashes of `ids` in one pipeline and keeps the legacy jobs among them (ids that are gone or belong to
 * new-style jobs are dropped). Read only.
 */
export async function readLegacyJobs(
  redis: RedisConnection,
  queue: Queue,
  ids: readonly string[],
  delayedScores: ReadonlyMap<string, number>,
): Promise<LegacyJob[]> {
  const pipeline = redis.pipeline();
  for (const id of ids) pipeline.hgetall(queue.toKey(id));
  const replies = (await pipeline.exec()) ?? [];
  const jobs: LegacyJob[] = [];
  for (const [index, [error, raw]] of replies.entries()) {
    if (error) throw error;
    const hash = raw as Record<string, string>;
    const id = ids[index] as string;
    if (hash.name === undefined || !isLegacyJobName(hash.name)) continue;
    const score = delayedScores.get(id);
    jobs.push({
      id,
      name: hash.name,
      data: parseJson(hash.data ?? '{}'),
      opts: decodeOpts(hash.opts),
      timestamp: Number(hash.timestamp),
      attemptsMade: Number(hash.attemptsMade ?? hash.atm ?? 0),
      // BullMQ scores a delayed job as due-time * 0x1000 + a tie-breaking counter.
      dueAt: score === undefined ? undefined : Math.floor(score / 0x1000),
      deduplicationId: hash.deid === undefined || hash.deid === '' ? undefined : hash.deid,
    });
  }
  return jobs;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function decodeOpts(raw: string | undefined): JobsOptions {
  try {
    return Job.optsFromJSON(raw);
  } catch {
    return {};
  }
}
