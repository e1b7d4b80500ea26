import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readdir, readFile, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { REPO_ROOT } from '@org/cli/testing';
import { isUuidV6, uuidV6Date } from '@org/ids';
import { redisSnapshot } from '@org/sessions/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * `pnpm demo` as a user runs it (the root script, embedded PostgreSQL, the local Redis) at a small size: it exits
 * 0, shows one user before and after the cutover, and leaves nothing behind. What it started is probed once while
 * it runs (when the api is up), so every "nothing left" check below is shown to find something when there is.
 */
const USERS = 30;
/** pnpm, tsx, the seed, the cutover, the api and the worker: ~25 s on a quiet machine, minutes under CI load. */
const RUN_TIMEOUT_MS = 300_000;
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

interface Probe {
  processes: string[];
  keys: number;
  listening: { api: boolean; postgres: boolean };
}

/** Every process (pid and command line) whose environment carries the run's marker. */
async function processesMarked(marker: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    try {
      const environ = await readFile(`/proc/${pid}/environ`, 'latin1');
      if (!environ.split('\0').includes(`DEMO_TEST_RUN=${marker}`)) continue;
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'latin1');
      found.push(`${pid} ${cmdline.split('\0').join(' ').trim()}`);
    } catch {
      // gone in between, or not ours to read
    }
  }
  return found;
}

async function isListening(port: number): Promise<boolean> {
  const socket = connect({ host: '127.0.0.1', port });
  try {
    await once(socket, 'connect');
    return true;
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}

const marker = randomUUID();
let redis: Redis;
let demo: ChildProcess;
let output = '';
let exitCode: number | null;
let during: Probe | undefined;
let after: Probe;
const found = (pattern: RegExp): RegExpExecArray => {
  const match = pattern.exec(output);
  if (match === null) throw new Error(`the demo's output has no ${pattern}:\n${output}`);
  return match;
};
const prefixes = () => {
  const [, keyPrefix, queuePrefix] = found(
    /keys under "(demo-[0-9a-f]+:)" and queues under "(demo-[0-9a-f]+-bull)"/,
  );
  return [keyPrefix!, `${queuePrefix!}:`];
};
const ports = () => ({
  postgres: Number(found(/PostgreSQL: embedded \(PGlite\) at postgres:\/\/postgres@127\.0\.0\.1:(\d+)\//)[1]),
  api: Number(found(/api listening on http:\/\/127\.0\.0\.1:(\d+);/)[1]),
});

async function probe(): Promise<Probe> {
  let keys = 0;
  for (const prefix of prefixes()) keys += (await redisSnapshot(redis, prefix)).size;
  const { api, postgres } = ports();
  return {
    processes: await processesMarked(marker),
    keys,
    listening: { api: await isListening(api), postgres: await isListening(postgres) },
  };
}

beforeAll(async () => {
  redis = new Redis(REDIS_URL);
  let probing: Promise<void> | undefined;
  demo = spawn('pnpm', ['demo', '--', '--users', String(USERS)], {
    cwd: REPO_ROOT,
    // DATABASE_URL empty: the embedded PostgreSQL, as for a user with nothing configured.
    env: { ...process.env, DATABASE_URL: '', NO_COLOR: '1', DEMO_TEST_RUN: marker },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (probing === undefined && /api listening on /.test(output)) {
      // The demo goes on at once (a few requests, then it stops everything): stopped while probed, it cannot
      // finish first. The api and worker are process groups of their own and keep running.
      process.kill(-demo.pid!, 'SIGSTOP');
      probing = probe()
        .then((result) => {
          during = result;
        })
        .finally(() => process.kill(-demo.pid!, 'SIGCONT'));
    }
  };
  demo.stdout?.on('data', collect);
  demo.stderr?.on('data', collect);
  [exitCode] = (await once(demo, 'exit')) as [number | null];
  await probing;
  after = await probe();
}, RUN_TIMEOUT_MS);

afterAll(async () => {
  // Only if a check failed half-way: nothing of the run may outlive the test.
  if (demo?.exitCode === null) process.kill(-demo.pid!, 'SIGKILL');
  for (const line of await processesMarked(marker).catch(() => []))
    process.kill(Number(line.split(' ')[0]), 'SIGKILL');
  redis?.disconnect();
});

describe(`pnpm demo --users ${USERS}`, () => {
  it('exits 0 and says it is done', () => {
    expect(exitCode, output).toBe(0);
    expect(output).toMatch(/done in [\d.]+ s; nothing left running\n$/);
    expect(output).not.toMatch(/demo failed|cleanup failed/);
  });

  it('shows one user before and after: the same legacy id, a UUIDv6 whose instant is her date_joined, a slug', () => {
    const [, beforeId, email, joined] = found(/before: users\.id = (\d+) \(integer\), (\S+), joined (.+)\n/);
    expect(email).toBe('ada@demo.test');
    expect(found(/legacy id +(\d+)\n/)[1]).toBe(beforeId);
    const uuid = found(/UUIDv6 +(\S+) +\(internal: never leaves the api\)/)[1]!;
    expect(isUuidV6(uuid)).toBe(true);
    const instant = found(/instant +(\S+) decoded from the id/)[1]!;
    expect(uuidV6Date(uuid).toISOString()).toBe(instant);
    // PostgreSQL prints a timestamptz as `2014-01-10 09:30:00+00`.
    expect(found(/date_joined (.+) stored in the row/)[1]).toBe(joined);
    expect(Date.parse(joined!.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'))).toBe(Date.parse(instant));

    const slug = found(/slug +([0-9A-Za-z]{12}) +\(public: \/users\/\1\)/)[1]!;
    const me = JSON.parse(found(/GET +\/me +-> 200 (\{.*\})\n/)[1]!) as Record<string, unknown>;
    expect(me).toMatchObject({ slug, email: 'ada@demo.test' });
    const meText = JSON.stringify(me);
    expect(meText).not.toContain(uuid);
    expect(me).not.toHaveProperty('id');
    expect(output).toMatch(new RegExp(`GET +/users/${beforeId} \\(an old integer URL\\) +-> 404 `));
  });

  it('had started processes, Redis keys, the api and PostgreSQL while it ran (what the checks below look for)', () => {
    expect(during, 'probed while the api was up').toBeDefined();
    expect(during!.processes.length, during!.processes.join('\n')).toBeGreaterThanOrEqual(3);
    expect(during!.keys).toBeGreaterThan(0);
    expect(during!.listening).toEqual({ api: true, postgres: true });
  });

  it('leaves nothing running: no process of the run, no listening port', () => {
    expect(after.processes).toEqual([]);
    expect(after.listening).toEqual({ api: false, postgres: false });
  });

  it('leaves no Redis key under its prefixes and removes its mail folder', async () => {
    expect(after.keys).toBe(0);
    const mailDir = found(/emails are written to (\S+)\n/)[1]!;
    await expect(stat(mailDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
