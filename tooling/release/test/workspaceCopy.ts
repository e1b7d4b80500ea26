import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * The environment for commands run in a copy: what the pnpm and turbo that started the test put in it
 * (`npm_config_*`, `pnpm_config_*`, `TURBO_*`) could point the copy's commands at the real workspace or the
 * public registry, so only the copy's own `.npmrc` decides.
 */
export function copyEnv(): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([key]) => !/^(npm_|pnpm_|turbo_)/i.test(key));
  return { ...Object.fromEntries(inherited), TURBO_TELEMETRY_DISABLED: '1', NO_COLOR: '1', FORCE_COLOR: '0' };
}

/** Runs a command and returns its output; a failure carries everything it printed. */
export async function runIn(
  cwd: string,
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = copyEnv(),
): Promise<string> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
    return `${stdout}${stderr}`;
  } catch (error) {
    const failed = error as { message: string; stdout?: string; stderr?: string };
    throw new Error(
      `${command} ${args.join(' ')} failed in ${cwd}: ${failed.message}\n${failed.stdout ?? ''}${failed.stderr ?? ''}`,
    );
  }
}

/**
 * A throwaway copy of the workspace at its committed HEAD: `git clone` (history included: changesets reads it for
 * the changelog's commit ids) and an offline `pnpm install`, which links every package from the store the real
 * install filled (about a second). The real working tree is never written to.
 */
export async function copyWorkspace(workspaceRoot: string, destination: string): Promise<void> {
  await runIn(workspaceRoot, 'git', ['clone', '--quiet', workspaceRoot, destination]);
  await runIn(destination, 'pnpm', ['install', '--offline', '--frozen-lockfile']);
}

export interface WorkspacePackage {
  name: string;
  version: string | undefined;
  private: boolean;
  dir: string;
}

/** Every package of a workspace laid out as `packages/*`, `apps/*` and `tooling/*` (pnpm-workspace.yaml). */
export async function workspacePackages(root: string): Promise<WorkspacePackage[]> {
  const found: WorkspacePackage[] = [];
  for (const group of ['packages', 'apps', 'tooling']) {
    for (const entry of await readdir(join(root, group), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = join(group, entry.name);
      const manifest = await readJson<{ name: string; version?: string; private?: boolean }>(
        join(root, dir, 'package.json'),
      ).catch(() => undefined);
      if (manifest === undefined) continue;
      found.push({ name: manifest.name, version: manifest.version, private: manifest.private === true, dir });
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

export async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}
