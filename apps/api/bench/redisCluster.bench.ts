/*
 * GET /me (a session read from Redis, then the user from PostgreSQL) with the session store on a 3-master Redis
 * Cluster against the same on one Redis: two copies of the api in this process, one per topology, on the same
 * database, machine and run, measured in alternating rounds (the order rotates) by a load generator in a process
 * of its own. Prints each round, the medians and cluster / single (issue 14).
 * The cluster is started here (its own temp dir under /var/tmp, removed at the end) unless REDIS_CLUSTER_NODES
 * names one.
 * Usage: pnpm --filter @org/api bench:cluster [-- --duration 5 --rounds 5 --connections 32 --users 1000]
 */
import { randomUUID } from 'node:crypto';
import { parseArgvOrExit } from '@org/cli';
import { parseClusterNodes, type RedisClient } from '@org/sessions';
import { deleteKeysWithPrefix, startRedisCluster } from '@org/sessions/testing';
import { buildApp } from '../src/app.js';
import { createApiRedis } from '../src/redisClient.js';
import { benchConfig, median, openMigratedDatabase, runLoad, signIn } from './benchSupport.js';

const values = parseArgvOrExit({
  name: 'api cluster bench',
  usage:
    'usage: pnpm --filter @org/api bench:cluster [-- --duration 5 --rounds 5 --connections 32 --users 1000 --sessions 50]',
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
    users: { type: 'string', default: '1000' },
    sessions: { type: 'string', default: '50' },
  },
});
const duration = Number(values.duration);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

type Topology = 'single' | 'cluster';
const cluster = await startRedisCluster();
const database = await openMigratedDatabase(Number(values.users));
const { orm } = database;
const prefix = `bench-${randomUUID()}:`;
const redis: Record<Topology, RedisClient> = {
  single: createApiRedis(url),
  cluster: createApiRedis({ url, clusterNodes: parseClusterNodes(cluster.nodesEnv) }),
};
const apps: { close(): Promise<unknown> }[] = [];
try {
  for (const client of Object.values(redis)) {
    if (client.status !== 'ready')
      await new Promise<void>((resolve) => client.once('ready', () => resolve()));
  }
  console.error(`seeded ${values.users} legacy users and migrated them; cluster ${cluster.nodesEnv}`);

  const users = await orm.em
    .fork()
    .execute<{ email: string }[]>(
      'select email from users where is_active order by random() limit ?',
      [Number(values.sessions)],
      'all',
    );

  /** One api on `topology`'s Redis, listening, with a session for each user: its address and /me requests. */
  async function startApi(topology: Topology) {
    const app = await buildApp({
      orm,
      redis: redis[topology],
      jobs: { enqueue: async () => ({ id: 'bench', name: 'send-verification-email' }) },
      config: benchConfig(prefix),
    });
    apps.push(app);
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const cookies = await signIn(
      app,
      users.map((user) => user.email),
    );
    return { address, requests: cookies.map((cookie) => ({ path: '/me', cookie })) };
  }
  const targets = { single: await startApi('single'), cluster: await startApi('cluster') };

  const measure = (topology: Topology, seconds: number) =>
    runLoad(topology, {
      url: targets[topology].address,
      connections,
      seconds,
      requests: targets[topology].requests,
    });

  const topologies: Topology[] = ['single', 'cluster'];
  for (const topology of topologies) await measure(topology, 1);
  const results: Record<Topology, { rps: number; p99: number }[]> = { single: [], cluster: [] };
  for (let round = 0; round < rounds; round += 1) {
    // Alternating: each round runs both, and which goes first changes every round.
    const order = round % 2 === 0 ? topologies : [...topologies].reverse();
    for (const topology of order) results[topology].push(await measure(topology, duration));
    const rps = (topology: Topology) => results[topology].at(-1)!.rps;
    console.error(
      `round ${round + 1} (${order[0]} first): single ${rps('single').toFixed(0)}, cluster ${rps('cluster').toFixed(0)} req/s` +
        ` (cluster/single ${(rps('cluster') / rps('single')).toFixed(2)})`,
    );
  }
  const summary = {
    single: { rps: median(results.single.map((r) => r.rps)), p99: median(results.single.map((r) => r.p99)) },
    cluster: {
      rps: median(results.cluster.map((r) => r.rps)),
      p99: median(results.cluster.map((r) => r.p99)),
    },
  };
  console.log(
    `GET /me, users=${values.users} sessions=${users.length} connections=${connections} duration=${duration}s rounds=${rounds} (median)`,
  );
  console.log(
    `one Redis                 ${summary.single.rps.toFixed(0).padStart(7)} req/s   p99 ${summary.single.p99} ms`,
  );
  console.log(
    `Redis Cluster (3 masters) ${summary.cluster.rps.toFixed(0).padStart(7)} req/s   p99 ${summary.cluster.p99} ms`,
  );
  const perRound = results.cluster.map((r, i) => r.rps / results.single[i]!.rps);
  // Two figures: the ratio of the medians, and the median of each round's own ratio (both runs of a round
  // share the machine's load of that moment, so it is the steadier one on a busy machine).
  console.log(
    `cluster / single = ${(summary.cluster.rps / summary.single.rps).toFixed(2)} (medians), ` +
      `${median(perRound).toFixed(2)} (median of the rounds' ratios)`,
  );
} finally {
  for (const app of apps) await app.close().catch(() => {});
  for (const client of Object.values(redis)) {
    await deleteKeysWithPrefix(client, prefix).catch(() => {});
    client.disconnect();
  }
  await database.close();
  await cluster.stop();
}
