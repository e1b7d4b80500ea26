import { z } from 'zod';
import { parseClusterNodes } from './createRedisClient.js';
import { RedisConfigError } from './errors.js';

/**
 * `REDIS_CLUSTER_NODES` for an app's zod env schema: `host:port,host:port,...` parsed into seed nodes; unset
 * or empty is `[]` (one Redis at `REDIS_URL`). A malformed entry is a schema issue naming it.
 *
 * @example
 * const EnvSchema = z.object({ REDIS_URL: RedisUrlField, REDIS_CLUSTER_NODES: RedisClusterNodesField });
 */
export const RedisClusterNodesField = z
  .string()
  .default('')
  .transform((raw, ctx) => {
    try {
      return parseClusterNodes(raw);
    } catch (error) {
      if (!(error instanceof RedisConfigError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message.replace(/^REDIS_CLUSTER_NODES: /, '') });
      return z.NEVER;
    }
  });
