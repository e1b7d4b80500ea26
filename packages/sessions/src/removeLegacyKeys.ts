import { type RedisClient, unlinkKeys } from './createRedisClient.js';
import { escapeGlob, LEGACY_KEY_PATTERNS } from './keyLayout.js';
import { scanKeysByNode } from './scanKeys.js';

export interface RemoveLegacyKeysOptions {
  /** One Redis, or a Redis Cluster: then every master is scanned. */
  redis: RedisClient;
  /** Prefix in front of the legacy patterns (tests seed legacy keys under their own prefix). */
  keyPrefix?: string;
  /** SCAN COUNT hint and UNLINK batch size. */
  batchSize?: number;
  /** Count what would be removed, remove nothing. */
  dryRun?: boolean;
  /** Called after every batch with the running total of that pattern on that node (`host:port`). */
  onProgress?: (progress: { node: string; pattern: string; removed: number }) => void;
}

/** What one master held: its total and the count per legacy pattern. */
export interface NodeRemovalReport {
  removed: number;
  byPattern: Record<string, number>;
}

export interface RemoveLegacyKeysReport {
  dryRun: boolean;
  /** Keys removed (in a dry run: keys that would be removed), over every node. */
  removed: number;
  byPattern: Record<string, number>;
  /** The same per master (`host:port`): one entry for a single Redis, one per master of a cluster. */
  byNode: Record<string, NodeRemovalReport>;
  durationMs: number;
}

/**
 * Cutover step: invalidates every legacy session (`session:*`) and token (`user_tokens:*`) key with SCAN +
 * UNLINK in batches, so a shared Redis is never blocked (no KEYS, no FLUSHDB); on a Redis Cluster it scans
 * every master and reports per node. Resumable: each run removes what is left, so after an interruption the
 * step is run again, and a run after a complete one removes nothing. Counts come from UNLINK's own answer,
 * so keys SCAN repeats are not counted twice.
 *
 * @example
 * const report = await removeLegacyKeys({ redis });
 * console.log(`${report.removed} legacy keys removed`);
 */
export async function removeLegacyKeys(options: RemoveLegacyKeysOptions): Promise<RemoveLegacyKeysReport> {
  const { redis, dryRun = false, batchSize = 500 } = options;
  const started = performance.now();
  const prefix = escapeGlob(options.keyPrefix ?? '');
  const byPattern: Record<string, number> = {};
  const byNode: Record<string, NodeRemovalReport> = {};
  let removed = 0;
  for (const pattern of LEGACY_KEY_PATTERNS) {
    const seen = new Map<string, Set<string>>();
    const counts = new Map<string, number>();
    for await (const { node, keys } of scanKeysByNode(redis, `${prefix}${pattern}`, batchSize)) {
      let count = counts.get(node) ?? 0;
      if (dryRun) {
        const nodeSeen = seen.get(node) ?? new Set<string>();
        seen.set(node, nodeSeen);
        for (const key of keys) nodeSeen.add(key);
        count = nodeSeen.size;
      } else {
        count += await unlinkKeys(redis, keys);
      }
      counts.set(node, count);
      options.onProgress?.({ node, pattern, removed: count });
    }
    let total = 0;
    for (const [node, count] of counts) {
      const nodeReport = byNode[node] ?? { removed: 0, byPattern: {} };
      nodeReport.byPattern[pattern] = count;
      nodeReport.removed += count;
      byNode[node] = nodeReport;
      total += count;
    }
    byPattern[pattern] = total;
    removed += total;
  }
  return { dryRun, removed, byPattern, byNode, durationMs: Math.round(performance.now() - started) };
}
