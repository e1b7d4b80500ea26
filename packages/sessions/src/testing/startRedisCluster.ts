import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface RedisClusterHandle {
  /** Seed nodes as `host:port`, the value of `REDIS_CLUSTER_NODES`. */
  readonly nodes: readonly string[];
  /** `REDIS_CLUSTER_NODES`: the seed nodes joined by commas. */
  readonly nodesEnv: string;
  /** Shuts every node down (`SHUTDOWN NOSAVE`) and removes the temp dir; a no-op for a cluster it did not start. */
  stop(): Promise<void>;
  /** Shuts one node (`host:port`) down, as a crash would (its keys are lost: nothing is persisted). */
  stopNode(node: string): Promise<void>;
  /** Starts a stopped node again with its cluster config (same slots) and waits for `cluster_state:ok`. */
  startNode(node: string): Promise<void>;
}

export interface StartRedisClusterOptions {
  /** Masters, each owning a third (or 1/n) of the 16,384 slots (default 3). */
  masters?: number;
  /** Parent of the cluster's own temp dir (default `/var/tmp`). */
  parentDir?: string;
  /** Use the cluster `REDIS_CLUSTER_NODES` names, when set (default true); false always starts one. */
  useEnv?: boolean;
}

/**
 * A real Redis Cluster for tests: `masters` `redis-server --cluster-enabled yes` on free local ports in a
 * temp dir of their own, joined by `redis-cli --cluster create`, returned once every node reports
 * `cluster_state:ok`. Nothing is persisted. `stop()` shuts the nodes down and removes the dir.
 *
 * When `REDIS_CLUSTER_NODES` is already set (a cluster CI started), it is used as is and `stop()` leaves it up.
 *
 * @example
 * const cluster = await startRedisCluster();
 * const redis = createRedisClient({ clusterNodes: cluster.nodes });
 * // ...
 * await cluster.stop();
 */
export async function startRedisCluster(options: StartRedisClusterOptions = {}): Promise<RedisClusterHandle> {
  const given = options.useEnv === false ? undefined : process.env.REDIS_CLUSTER_NODES?.trim();
  if (given) {
    const nodes = given.split(',').map((node) => node.trim());
    const notOurs = async () => {
      throw new Error('stopNode/startNode only work on a cluster startRedisCluster started');
    };
    return { nodes, nodesEnv: nodes.join(','), stop: async () => {}, stopNode: notOurs, startNode: notOurs };
  }
  // A port found free may be taken before redis-server binds it (other test runs start clusters too): the
  // start then fails, and a second try on other ports succeeds.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOwnCluster(options.masters ?? 3, options.parentDir ?? '/var/tmp');
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

async function startOwnCluster(masters: number, parent: string): Promise<RedisClusterHandle> {
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(join(parent, 'redis-cluster-'));
  const ports: number[] = [];
  const stop = async () => {
    await Promise.all(
      ports.map((port) =>
        run('redis-cli', ['-p', String(port), 'shutdown', 'nosave']).catch(() => undefined),
      ),
    );
    await rm(dir, { recursive: true, force: true });
  };
  const startServer = (port: number) =>
    run('redis-server', [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      `nodes-${port}.conf`,
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'yes',
      '--dir',
      dir,
      '--logfile',
      join(dir, `redis-${port}.log`),
    ]);
  try {
    for (let i = 0; i < masters; i += 1) {
      const port = await freeClusterPort(ports);
      ports.push(port);
      await startServer(port);
    }
    // A server that could not bind its port has exited: no need to wait long for it.
    await untilEvery(ports, async (port) => (await cli(port, 'ping')) === 'PONG', 10);
    const nodes = ports.map((port) => `127.0.0.1:${port}`);
    await run('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes']);
    await untilEvery(ports, async (port) =>
      (await cli(port, 'cluster', 'info')).includes('cluster_state:ok'),
    );
    const portOf = (node: string) => {
      const port = Number(node.slice(node.lastIndexOf(':') + 1));
      if (!ports.includes(port)) throw new Error(`${node} is not a node of this cluster`);
      return port;
    };
    return {
      nodes,
      nodesEnv: nodes.join(','),
      stop,
      async stopNode(node) {
        await run('redis-cli', ['-p', String(portOf(node)), 'shutdown', 'nosave']).catch(() => undefined);
      },
      async startNode(node) {
        await startServer(portOf(node));
        await untilEvery(ports, async (port) =>
          (await cli(port, 'cluster', 'info')).includes('cluster_state:ok'),
        );
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function cli(port: number, ...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('redis-cli', ['-p', String(port), ...args]);
    return stdout.trim();
  } catch {
    return '';
  }
}

async function untilEvery(
  ports: readonly number[],
  ready: (port: number) => Promise<boolean>,
  seconds = 30,
): Promise<void> {
  for (let attempt = 0; attempt < seconds * 10; attempt += 1) {
    const states = await Promise.all(ports.map(ready));
    if (states.every(Boolean)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Redis Cluster on ports ${ports.join(', ')} did not become ready in ${seconds} s`);
}

/** A port that is free, whose cluster bus port (+10000) is free too, and not already taken by this cluster. */
async function freeClusterPort(taken: readonly number[]): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = 20_000 + Math.floor(Math.random() * 35_000);
    if (taken.includes(port) || taken.includes(port + 10_000) || taken.includes(port - 10_000)) continue;
    if ((await isFree(port)) && (await isFree(port + 10_000))) return port;
  }
  throw new Error('no free port pair for a Redis Cluster node');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
