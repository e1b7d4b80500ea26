import { inject } from 'vitest';
import type { TestProject } from 'vitest/node';
import { parseClusterNodes, type RedisTarget } from '../createRedisClient.js';
import { startRedisCluster } from './startRedisCluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `REDIS_CLUSTER_NODES` of the package's test cluster (started by `setupRedisCluster`). */
    redisClusterNodes: string;
  }
}

/**
 * vitest `globalSetup`: one 3-master Redis Cluster for a package's whole test run (started once, in its own
 * temp dir, stopped and removed at the end), or the cluster `REDIS_CLUSTER_NODES` names when CI gives one.
 *
 * @example
 * // test/redisCluster.globalSetup.ts
 * export { setupRedisCluster as setup } from '@org/sessions/testing/vitest';
 */
export async function setupRedisCluster(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startRedisCluster();
  project.provide('redisClusterNodes', cluster.nodesEnv);
  return () => cluster.stop();
}

export interface RedisTopology {
  /** `single` or `cluster`: the `describe.each` title. */
  readonly name: 'single' | 'cluster';
  /** What `createRedisClient` connects to. */
  readonly target: RedisTarget;
  /** The environment a child process (an app, `pnpm migrate`) needs for the same Redis. */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * The two topologies every Redis suite runs on: the single Redis at `REDIS_URL` and the package's test
 * cluster (from `setupRedisCluster`, which the package's vitest config must list as `globalSetup`).
 *
 * @example
 * describe.each(redisTopologies())('on $name Redis', ({ target }) => { ... });
 */
export function redisTopologies(): RedisTopology[] {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const nodes = inject('redisClusterNodes');
  return [
    { name: 'single', target: { url }, env: { REDIS_URL: url, REDIS_CLUSTER_NODES: '' } },
    {
      name: 'cluster',
      target: { url, clusterNodes: parseClusterNodes(nodes) },
      env: { REDIS_URL: url, REDIS_CLUSTER_NODES: nodes },
    },
  ];
}
