import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readdir, readFile, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { REPO_ROOT } from '@org/cli/testing';
import { isUuidV6, uuidV6Date } from '@org/ids';
import { createRedisClient, type RedisClient } from '@org/sessions';
import { redisSnapshot } from '@org/sessions/testing';
import { type RedisTopology, redisTopologies } from '@org/sessions/testing/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * `pnpm demo` as a user runs it (the root script, embedded PostgreSQL, the local Redis or a Redis Cluster) at a
 * small size: it exits 0, shows one user before and after the cutover, and leaves nothing behind. What it started
 * is probed once while it runs (when the api is up), so every "nothing left" check below is shown to find
 * something when there is.
 */
const USERS = 30;
/**
 * pnpm, tsx, the seed, the cutover, the api and the worker, twice at once (one Redis, a cluster): ~35 s on a quiet
 * machine, minutes under CI load.
 */
const RUN_TIMEOUT_MS = 420_000;

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

interface DemoRun {
  output: string;
  exitCode: number | null;
  during: Probe | undefined;
  after: Probe;
}

/** The demo's output matched against `pattern` (throws with the whole output when it is not there). */
function found(run: Pick<DemoRun, 'output'>, pattern: RegExp): RegExpExecArray {
  const match = pattern.exec(run.output);
  if (match === null) throw new Error(`the demo's output has no ${pattern}:\n${run.output}`);
  return match;
}

/** The run's key prefix and queue prefix (with a {hash tag} on a cluster). */
function prefixes(run: Pick<DemoRun, 'output'>): [string, string] {
  const [, keyPrefix, queuePrefix] = found(
    run,
    /keys under "(demo-[0-9a-f]+:)" and queues under "(\{?demo-[0-9a-f]+-bull\}?)"/,
  );
  return [keyPrefix!, `${queuePrefix!}:`];
}

/** Starts `pnpm demo` on a topology, probes it once while its api is up, and once after it exited. */
async function runDemo(topology: RedisTopology, redis: RedisClient, marker: string): Promise<DemoRun> {
  const sofar = { output: '' };
  const probe = async (): Promise<Probe> => {
    let keys = 0;
    for (const prefix of prefixes(sofar)) keys += (await redisSnapshot(redis, prefix)).size;
    const api = Number(found(sofar, /api listening on http:\/\/127\.0\.0\.1:(\d+);/)[1]);
    const postgres = Number(
      found(sofar, /PostgreSQL: embedded \(PGlite\) at postgres:\/\/postgres@127\.0\.0\.1:(\d+)\//)[1],
    );
    return {
      processes: await processesMarked(marker),
      keys,
      listening: { api: await isListening(api), postgres: await isListening(postgres) },
    };
  };
  let during: Probe | undefined;
  let probing: Promise<void> | undefined;
  const demo = spawn('pnpm', ['demo', '--', '--users', String(USERS)], {
    cwd: REPO_ROOT,
    // DATABASE_URL empty: the embedded PostgreSQL, as for a user with nothing configured.
    env: { ...process.env, ...topology.env, DATABASE_URL: '', NO_COLOR: '1', DEMO_TEST_RUN: marker },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  demos.push(demo);
  const collect = (chunk: Buffer) => {
    sofar.output += chunk.toString();
    if (probing === undefined && /api listening on /.test(sofar.output)) {
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
  const [exitCode] = (await once(demo, 'exit')) as [number | null];
  await probing;
  return { output: sofar.output, exitCode, during, after: await probe() };
}

// On one Redis (what a user with nothing configured gets) and on the run's 3-master Redis Cluster
// (REDIS_CLUSTER_NODES, issue 14), side by side: each run is mostly process start-ups, so the second costs less
// wall time next to the first than after it.
const topologies = redisTopologies();
const markers = new Map(topologies.map((topology) => [topology.name, randomUUID()]));
const clients: RedisClient[] = [];
const demos: ChildProcess[] = [];
const runs = new Map<RedisTopology['name'], DemoRun>();

beforeAll(async () => {
  await Promise.all(
    topologies.map(async (topology) => {
      const redis = createRedisClient(topology.target);
      clients.push(redis);
      runs.set(topology.name, await runDemo(topology, redis, markers.get(topology.name)!));
    }),
  );
}, RUN_TIMEOUT_MS);

afterAll(async () => {
  // Only if a check failed half-way: nothing of the run may outlive the test.
  for (const demo of demos)
    if (demo.exitCode === null && demo.signalCode === null) process.kill(-demo.pid!, 'SIGKILL');
  for (const marker of markers.values())
    for (const line of await processesMarked(marker).catch(() => []))
      process.kill(Number(line.split(' ')[0]), 'SIGKILL');
  for (const redis of clients) redis.disconnect();
});

describe.each(topologies)(`pnpm demo --users ${USERS} on $name Redis`, ({ name, env }) => {
  const run = (): DemoRun => {
    const result = runs.get(name);
    if (result === undefined) throw new Error(`the demo did not run on ${name} Redis`);
    return result;
  };
  const match = (pattern: RegExp) => found(run(), pattern);

  it('exits 0 and says it is done', () => {
    const { output, exitCode } = run();
    expect(exitCode, output).toBe(0);
    expect(output).toMatch(/done in [\d.]+ s; nothing left running\n$/);
    expect(output).not.toMatch(/demo failed|cleanup failed/);
  });

  it('runs on the Redis it was given: the cluster of REDIS_CLUSTER_NODES with a {tagged} queue prefix, or REDIS_URL', () => {
    const [, where] = match(/^Redis: (.+), keys under /m);
    const [, queuePrefix] = prefixes(run());
    if (name === 'cluster') {
      expect(where).toBe(`the Redis Cluster ${env.REDIS_CLUSTER_NODES}`);
      expect(queuePrefix).toMatch(/^\{demo-[0-9a-f]+-bull\}:$/);
    } else {
      expect(where).toBe(new URL(env.REDIS_URL!).host);
      expect(queuePrefix).toMatch(/^demo-[0-9a-f]+-bull:$/);
    }
  });

  it('shows one user before and after: the same legacy id, a UUIDv6 whose instant is her date_joined, a slug', () => {
    const [, beforeId, email, joined] = match(/before: users\.id = (\d+) \(integer\), (\S+), joined (.+)\n/);
    expect(email).toBe('ada@demo.test');
    expect(match(/legacy id +(\d+)\n/)[1]).toBe(beforeId);
    const uuid = match(/UUIDv6 +(\S+) +\(internal: never leaves the api\)/)[1]!;
    expect(isUuidV6(uuid)).toBe(true);
    const instant = match(/instant +(\S+) decoded from the id/)[1]!;
    expect(uuidV6Date(uuid).toISOString()).toBe(instant);
    // PostgreSQL prints a timestamptz as `2014-01-10 09:30:00+00`.
    expect(match(/date_joined (.+) stored in the row/)[1]).toBe(joined);
    expect(Date.parse(joined!.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'))).toBe(Date.parse(instant));

    const slug = match(/slug +([0-9A-Za-z]{12}) +\(public: \/users\/\1\)/)[1]!;
    const me = JSON.parse(match(/GET +\/me +-> 200 (\{.*\})\n/)[1]!) as Record<string, unknown>;
    expect(me).toMatchObject({ slug, email: 'ada@demo.test' });
    const meText = JSON.stringify(me);
    expect(meText).not.toContain(uuid);
    expect(me).not.toHaveProperty('id');
    expect(run().output).toMatch(new RegExp(`GET +/users/${beforeId} \\(an old integer URL\\) +-> 404 `));
  });

  it('had started processes, Redis keys, the api and PostgreSQL while it ran (what the checks below look for)', () => {
    const { during } = run();
    expect(during, 'probed while the api was up').toBeDefined();
    expect(during!.processes.length, during!.processes.join('\n')).toBeGreaterThanOrEqual(3);
    expect(during!.keys).toBeGreaterThan(0);
    expect(during!.listening).toEqual({ api: true, postgres: true });
  });

  it('leaves nothing running: no process of the run, no listening port', () => {
    const { after } = run();
    expect(after.processes).toEqual([]);
    expect(after.listening).toEqual({ api: false, postgres: false });
  });

  it('leaves no Redis key under its prefixes and removes its mail folder', async () => {
    expect(run().after.keys).toBe(0);
    const mailDir = match(/emails are written to (\S+)\n/)[1]!;
    await expect(stat(mailDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
