import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runFixture } from '../test/runFixture.js';
import { isUuidV6, uuidV6Ticks } from './index.js';

const PROCESSES = 4;
const IDS_PER_PROCESS = 200_000;
let dir: string | undefined;

afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function generateInParallel(clock: 'real' | 'frozen'): Promise<string[][]> {
  dir = await mkdtemp(join(tmpdir(), 'ids-multiprocess-'));
  const startAt = Date.now() + 1_500;
  const files = Array.from({ length: PROCESSES }, (_, i) => join(dir!, `ids-${i}.txt`));
  await Promise.all(
    files.map((file) =>
      runFixture('generateIds.ts', [file, String(IDS_PER_PROCESS), String(startAt), clock]),
    ),
  );
  return Promise.all(files.map(async (file) => (await readFile(file, 'utf8')).split('\n')));
}

function expectNoDuplicateAndEachIncreasing(perProcess: string[][]): void {
  const all = new Set<string>();
  for (const ids of perProcess) {
    expect(ids).toHaveLength(IDS_PER_PROCESS);
    for (let i = 0; i < ids.length; i++) {
      if (i > 0 && !(ids[i - 1]! < ids[i]!))
        throw new Error(`not increasing at ${i}: ${ids[i - 1]} ${ids[i]}`);
      all.add(ids[i]!);
    }
    expect(ids.every(isUuidV6)).toBe(true);
  }
  expect(all.size).toBe(PROCESSES * IDS_PER_PROCESS);
}

describe('several processes generating at once', () => {
  it('produce no duplicate with the real clock', async () => {
    expectNoDuplicateAndEachIncreasing(await generateInParallel('real'));
  }, 60_000);

  it('produce no duplicate even when every process emits the very same timestamps', async () => {
    const perProcess = await generateInParallel('frozen');
    // identical clocks give identical timestamp sequences: only the 61 random bits per id keep them apart
    expect(uuidV6Ticks(perProcess[0]![12_345]!)).toBe(uuidV6Ticks(perProcess[1]![12_345]!));
    expectNoDuplicateAndEachIncreasing(perProcess);
  }, 60_000);
});
