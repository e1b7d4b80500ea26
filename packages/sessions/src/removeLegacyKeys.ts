import type { Redis } from 'ioredis';
import { escapeGlob, LEGACY_KEY_PATTERNS } from './keyLayout.js';
import { scanKeys } from './scanKeys.js';

export interface RemoveLegacyKeysOptions {
  redis: Redis;
  /** Prefix in front of the legacy patterns (tests seed legacy keys under their own prefix). */
  keyPrefix?: string;
  /** SCAN COUNT hint and UNLINK batch size. */
  batchSize?: number;
  /** Count what would be removed, remove nothing. */
  dryRun?: boolean;
  /** Called after every batch with the running total. */
  onProgress?: (progress: { pattern: string; removed: number }) => void;
}

export interface RemoveLegacyKeysReport {
  dryRun: boolean;
  /** Keys removed (in a dry run: keys that would be removed). */
  removed: number;
  byPattern: Record<string, number>;
  durationMs: number;
}

/**
 * Cutover step: invalidates every legacy session (`session:*`) and token (`user_tokens:*`) key with SCAN +
 * UNLINK in batches, so a shared Redis is never blocked (no KEYS, no FLUSHDB). Safe to run again: a second run
 * removes nothing. Counts come from UNLINK's own answer, so keys SCAN repeats are not counted twice.
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
  let removed = 0;
  for (const pattern of LEGACY_KEY_PATTERNS) {
    const seen = new Set<string>();
    let count = 0;
    for await (const batch of scanKeys(redis, `${prefix}${pattern}`, batchSize)) {
      if (dryRun) {
        for (const key of batch) seen.add(key);
        count = seen.size;
      } else {
        count += await redis.unlink(...batch);
      }
      options.onProgress?.({ pattern, removed: count });
    }
    byPattern[pattern] = count;
    removed += count;
  }
  return { dryRun, removed, byPattern, durationMs: Math.round(performance.now() - started) };
}
