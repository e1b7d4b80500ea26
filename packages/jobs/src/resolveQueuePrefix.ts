import { z } from 'zod';
import { QueuePrefixError, queuePrefixFor } from './queueNames.js';

/**
 * The last step of an environment schema that reads `REDIS_CLUSTER_NODES` and `QUEUE_PREFIX`: the prefix
 * resolved by `queuePrefixFor`, a prefix the topology cannot use reported on `QUEUE_PREFIX`.
 *
 * @example
 * const Env = z.object({ REDIS_CLUSTER_NODES: RedisClusterNodesField, QUEUE_PREFIX: z.string().optional() })
 *   .transform(resolveQueuePrefix);
 */
export function resolveQueuePrefix<
  E extends { readonly REDIS_CLUSTER_NODES: readonly unknown[]; readonly QUEUE_PREFIX?: string | undefined },
>(env: E, ctx: z.RefinementCtx): Omit<E, 'QUEUE_PREFIX'> & { QUEUE_PREFIX: string } {
  try {
    const cluster = env.REDIS_CLUSTER_NODES.length > 0;
    return { ...env, QUEUE_PREFIX: queuePrefixFor({ configured: env.QUEUE_PREFIX, cluster }) };
  } catch (error) {
    if (!(error instanceof QueuePrefixError)) throw error;
    ctx.addIssue({ code: 'custom', path: ['QUEUE_PREFIX'], message: error.message });
    return z.NEVER;
  }
}
