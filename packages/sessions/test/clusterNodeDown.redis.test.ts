import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRedisClient,
  createSessionStore,
  type RedisClient,
  SessionStoreUnavailableError,
  userTag,
} from '../src/index.js';
import { deleteKeysWithPrefix, type RedisClusterHandle, startRedisCluster } from '../src/testing/index.js';

/*
 * A master that goes down (no replica: failover is not ours to test) fails the operations whose keys it holds
 * with SessionStoreUnavailableError (the api's 503), leaves users on other masters alone, and the store works
 * again once the node is back. A cluster of this file's own: stopping a node of the package's shared one would
 * fail the other suites.
 */
describe('a Redis Cluster master that is down', () => {
  let cluster: RedisClusterHandle;
  let redis: RedisClient;
  const prefix = `test-${randomUUID()}:`;

  beforeAll(async () => {
    cluster = await startRedisCluster({ useEnv: false });
    // The api's options (createApiRedis): fail fast, keep reconnecting in the background.
    redis = createRedisClient(
      { url: 'redis://127.0.0.1:6379', clusterNodes: cluster.nodes },
      {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        commandTimeout: 2000,
        connectTimeout: 2000,
        retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
      },
    );
    redis.on('error', () => {});
    await new Promise((resolve) => redis.once('ready', resolve));
  });
  afterAll(async () => {
    await deleteKeysWithPrefix(redis, prefix).catch(() => 0);
    redis.disconnect();
    await cluster.stop();
  });

  /** The master (`host:port`) that holds the slot of a user's keys. */
  async function masterOf(userId: string): Promise<string> {
    const slot = Number(await redis.call('CLUSTER', 'KEYSLOT', `{${userTag(userId)}}`));
    const ranges = (await redis.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
    const range = ranges.find(([from, to]) => from <= slot && slot <= to);
    if (range === undefined) throw new Error(`no master holds slot ${slot}`);
    return `${range[2][0]}:${range[2][1]}`;
  }

  it('fails the users it holds with SessionStoreUnavailableError, and recovers when it is back', async () => {
    const store = createSessionStore({
      redis,
      keyPrefix: prefix,
      idleTtlSeconds: 60,
      absoluteTtlSeconds: 600,
    });
    const users = Array.from({ length: 30 }, () => randomUUID());
    const down = await masterOf(users[0]!);
    const masters = await Promise.all(users.map((user) => masterOf(user)));
    const elsewhere = users.find((_, index) => masters[index] !== down);
    expect(elsewhere, '30 random users all hash to one master').toBeDefined();
    const other = await store.create(elsewhere!);

    await cluster.stopNode(down);
    await expect(store.create(users[0]!)).rejects.toBeInstanceOf(SessionStoreUnavailableError);
    // A master marks a silent peer as failed only after cluster-node-timeout (15 s); until then the others serve.
    expect(await store.authenticate(other.token)).toMatchObject({ userId: elsewhere });

    await cluster.startNode(down);
    let recovered: unknown;
    for (let attempt = 0; attempt < 100 && recovered === undefined; attempt += 1) {
      recovered = await store.create(users[0]!).catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        return undefined;
      });
    }
    expect(recovered).toMatchObject({ session: { userId: users[0] } });
  });
});
