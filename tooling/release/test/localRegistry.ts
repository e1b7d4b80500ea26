import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@org/cli';

export interface LocalRegistry {
  url: string;
  /** An npmrc with a token for the registry's test user, for `npm --userconfig`. */
  npmrc: string;
  stop(): Promise<void>;
}

/**
 * A throwaway Verdaccio on loopback: `@org/*` lives only here, everything else is proxied from the public
 * registry so that the published packages' dependencies install.
 */
export async function startLocalRegistry(verdaccioBin: string): Promise<LocalRegistry> {
  const root = await mkdtemp(join(tmpdir(), 'org-registry-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const config = join(root, 'config.yaml');
  await writeFile(
    config,
    [
      `storage: ${join(root, 'storage')}`,
      'auth:',
      `  htpasswd: { file: ${join(root, 'htpasswd')}, max_users: 10 }`,
      'uplinks:',
      '  npmjs: { url: https://registry.npmjs.org/ }',
      'packages:',
      "  '@org/*': { access: $all, publish: $authenticated }",
      "  '**': { access: $all, publish: $authenticated, proxy: npmjs }",
      'log: { type: stdout, format: json, level: error }',
      '',
    ].join('\n'),
  );

  const child: ChildProcess = spawn(verdaccioBin, ['--config', config, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });

  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(root, { recursive: true, force: true });
  };

  try {
    await waitUntilUp(url, child, () => output);
    const token = await createUser(url);
    const npmrc = join(root, 'npmrc');
    await writeFile(npmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
    return { url, npmrc, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * CI runs every package's tests at once on two cores: verdaccio has been seen to take over 15 s to listen
 * there. This waits for a hang, not for speed.
 */
const START_TIMEOUT_MS = 120_000;

async function waitUntilUp(url: string, child: ChildProcess, output: () => string): Promise<void> {
  for (let attempt = 0; attempt < START_TIMEOUT_MS / 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited early:\n${output()}`);
    try {
      const response = await fetch(`${url}-/ping`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`verdaccio did not start within ${START_TIMEOUT_MS / 1000} s:\n${output()}`);
}

async function createUser(url: string): Promise<string> {
  const name = 'release-check';
  const response = await fetch(`${url}-/user/org.couchdb.user:${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: 'release-check-password', type: 'user', roles: [] }),
  });
  const body = (await response.json()) as { token?: string };
  if (!response.ok || body.token === undefined) {
    throw new Error(`could not create a registry user: ${response.status} ${JSON.stringify(body)}`);
  }
  return body.token;
}
