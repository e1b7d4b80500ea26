import { Cluster, Redis } from 'ioredis';
import { RedisConfigError } from './errors.js';

/** One Redis (`REDIS_URL`) or a Redis Cluster (`REDIS_CLUSTER_NODES`): every caller takes either. */
export type RedisClient = Redis | Cluster;

/** Where Redis is: a cluster when `clusterNodes` is non-empty, else the one server at `url`. */
export interface RedisTarget {
  /** `REDIS_URL`; also carries the password (and username) used for every cluster node. */
  readonly url: string;
  /** `REDIS_CLUSTER_NODES` parsed by `parseClusterNodes`: seed nodes as `host:port`. */
  readonly clusterNodes?: readonly string[] | undefined;
}

/** The connection options the api, the worker, BullMQ, `pnpm migrate` and the demo choose from. */
export interface RedisClientOptions {
  /** `CLIENT SETNAME` (on every node of a cluster). */
  readonly connectionName?: string | undefined;
  readonly lazyConnect?: boolean | undefined;
  readonly enableOfflineQueue?: boolean | undefined;
  readonly enableAutoPipelining?: boolean | undefined;
  /** `null` for BullMQ workers (they block); a number fails a command after that many reconnects. */
  readonly maxRetriesPerRequest?: number | null | undefined;
  readonly commandTimeout?: number | undefined;
  readonly connectTimeout?: number | undefined;
  /** Delay before reconnect attempt `n`, or `null` to give up (the whole cluster, on a cluster). */
  readonly retryStrategy?: ((attempt: number) => number | null) | undefined;
}

/**
 * Parses `REDIS_CLUSTER_NODES` (`host:port,host:port,...`, blanks ignored); `[]` when unset or empty.
 * Throws `RedisConfigError` naming the first entry that is not `host:port`.
 *
 * @example
 * parseClusterNodes('10.0.0.1:7000, 10.0.0.2:7000'); // ['10.0.0.1:7000', '10.0.0.2:7000']
 */
export function parseClusterNodes(value: string | undefined): string[] {
  if (value === undefined) return [];
  const nodes = value
    .split(',')
    .map((node) => node.trim())
    .filter((node) => node !== '');
  for (const node of nodes) {
    const match = /^(?<host>\[[^\]]+\]|[^:\s]+):(?<port>\d{1,5})$/.exec(node);
    const port = Number(match?.groups?.port);
    if (!match || port < 1 || port > 65_535) {
      throw new RedisConfigError(`REDIS_CLUSTER_NODES: "${node}" is not host:port`);
    }
  }
  return nodes;
}

/**
 * The one factory of Redis connections: ioredis `Cluster` seeded with `target.clusterNodes` when there are
 * any, else `Redis` at `target.url`, with the same options mapped onto each. Nothing else in the repository
 * constructs `Redis` or `Cluster` for the apps (tests aside).
 *
 * @example
 * const redis = createRedisClient(
 *   { url: env.REDIS_URL, clusterNodes: env.REDIS_CLUSTER_NODES },
 *   { enableOfflineQueue: false, maxRetriesPerRequest: 1 },
 * );
 */
export function createRedisClient(target: RedisTarget, options: RedisClientOptions = {}): RedisClient {
  const nodes = target.clusterNodes ?? [];
  const defined = <T extends object>(value: T) =>
    Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
  const perConnection = defined({
    connectionName: options.connectionName,
    maxRetriesPerRequest: options.maxRetriesPerRequest,
    commandTimeout: options.commandTimeout,
    connectTimeout: options.connectTimeout,
  });
  if (nodes.length === 0) {
    return new Redis(
      target.url,
      defined({
        ...perConnection,
        lazyConnect: options.lazyConnect,
        enableOfflineQueue: options.enableOfflineQueue,
        enableAutoPipelining: options.enableAutoPipelining,
        retryStrategy: options.retryStrategy,
      }),
    );
  }
  const auth = credentialsOf(target.url);
  return new Cluster(
    nodes.map((node) => {
      const at = node.lastIndexOf(':');
      return { host: node.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(node.slice(at + 1)) };
    }),
    defined({
      lazyConnect: options.lazyConnect,
      enableOfflineQueue: options.enableOfflineQueue,
      enableAutoPipelining: options.enableAutoPipelining,
      clusterRetryStrategy: options.retryStrategy,
      redisOptions: { ...perConnection, ...auth },
    }),
  );
}

function credentialsOf(url: string): { username?: string; password?: string } {
  try {
    const parsed = new URL(url);
    return {
      ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
      ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    };
  } catch {
    return {};
  }
}

/**
 * Every master as `host:port` with its connection: the nodes a key scan must visit (the one server of a
 * single Redis). Waits for a cluster to be ready first: before that ioredis knows no node, and a scan of
 * "every master" would silently visit none.
 *
 * @example
 * for (const { node, redis: master } of await redisMasters(redis)) console.log(node, await master.dbsize());
 */
export async function redisMasters(redis: RedisClient): Promise<{ node: string; redis: Redis }[]> {
  if (!(redis instanceof Cluster)) return [{ node: nodeName(redis), redis }];
  await redis.ping();
  const masters = redis.nodes('master');
  if (masters.length === 0) throw new RedisConfigError('the Redis Cluster reports no master');
  return masters
    .map((node) => ({ node: nodeName(node), redis: node }))
    .sort((a, b) => a.node.localeCompare(b.node));
}

/**
 * UNLINKs keys that one node returned from SCAN; returns how many existed. On a cluster they may lie in
 * different slots (one multi-key UNLINK would be CROSSSLOT), so it sends one UNLINK per key in a pipeline,
 * which the cluster client routes (every key of the batch belongs to the same node).
 */
export async function unlinkKeys(redis: RedisClient, keys: readonly string[]): Promise<number> {
  if (keys.length === 0) return 0;
  if (!(redis instanceof Cluster)) return redis.unlink(...keys);
  const replies = await redis.pipeline(keys.map((key) => ['unlink', key])).exec();
  let removed = 0;
  for (const [error, count] of replies ?? []) {
    if (error) throw error;
    removed += Number(count);
  }
  return removed;
}

function nodeName(redis: Redis): string {
  const { host = '127.0.0.1', port = 6379 } = redis.options;
  return `${host}:${port}`;
}
