/** The one BullMQ queue that carries every job of the user system (api -> worker). */
export const JOBS_QUEUE = 'jobs';

/**
 * BullMQ's own default key prefix, the default on one Redis: where the old system left its jobs, so the
 * queued-jobs cutover finds them without configuration. Tests pass their own prefix for isolation.
 */
export const DEFAULT_QUEUE_PREFIX = 'bull';

/**
 * The default on a Redis Cluster: BullMQ's scripts touch many keys of a queue at once, so they must all hash
 * to one slot, which a `{hash tag}` in the prefix ensures (`bull` gives CROSSSLOT errors there).
 */
export const CLUSTER_QUEUE_PREFIX = '{bull}';

/** `QUEUE_PREFIX` cannot work on the Redis it is meant for. */
export class QueuePrefixError extends Error {
  override readonly name = 'QueuePrefixError';
  readonly code = 'QUEUE_PREFIX_INVALID';
}

/** True when a key starting with `prefix` hashes by a `{tag}` in it (the first `{`, then a non-empty tag). */
export function hasHashTag(prefix: string): boolean {
  const open = prefix.indexOf('{');
  if (open < 0) return false;
  const close = prefix.indexOf('}', open + 1);
  return close > open + 1;
}

/**
 * The BullMQ prefix that the api, the worker, `pnpm migrate` and the demo all use, from the same settings:
 * `QUEUE_PREFIX` when set, else `bull` on one Redis and `{bull}` on a Redis Cluster. On a cluster a prefix
 * without a hash tag is refused (`QueuePrefixError`) rather than failing with CROSSSLOT on the first job.
 *
 * @example
 * queuePrefixFor({ configured: env.QUEUE_PREFIX, cluster: env.REDIS_CLUSTER_NODES.length > 0 });
 */
export function queuePrefixFor(options: { configured?: string | undefined; cluster: boolean }): string {
  const configured = options.configured === '' ? undefined : options.configured;
  if (!options.cluster) return configured ?? DEFAULT_QUEUE_PREFIX;
  if (configured === undefined) return CLUSTER_QUEUE_PREFIX;
  if (!hasHashTag(configured)) {
    throw new QueuePrefixError(
      `QUEUE_PREFIX "${configured}" has no {hash tag}: on a Redis Cluster every key of a BullMQ queue must ` +
        `hash to one slot; use e.g. "{${configured}}" (or leave QUEUE_PREFIX unset for "${CLUSTER_QUEUE_PREFIX}")`,
    );
  }
  return configured;
}
