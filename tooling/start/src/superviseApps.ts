import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { CommandIo } from '@org/cli';

/** An app the supervisor runs: its name (the prefix of its lines) and its entry, from the repository root. */
export interface AppEntry {
  readonly name: string;
  readonly entry: string;
}

export const APPS: readonly AppEntry[] = [
  { name: 'api', entry: 'apps/api/src/server.ts' },
  { name: 'worker', entry: 'apps/worker/src/main.ts' },
];

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Runs each app as a child process on its source (Node with tsx, as the apps' own `start` scripts), every line
 * it prints prefixed with its name. The children share this process group, so Ctrl-C reaches them directly;
 * SIGINT and SIGTERM sent to this process alone are passed on. When one app exits on its own, the others are
 * asked to stop. Resolves with 0 when every app exited 0 (a clean drain after Ctrl-C included), 1 otherwise.
 *
 * Turbo ran each app through `pnpm run start`, and pnpm reports any script it was interrupted in as failed
 * ("[ELIFECYCLE] Command failed", exit 130) even when the script exits 0; this keeps pnpm out between the
 * apps and the signal.
 */
export async function superviseApps(apps: readonly AppEntry[], io: CommandIo): Promise<number> {
  const width = apps.reduce((widest, app) => Math.max(widest, app.name.length), 0);
  let stopping = false;
  const children = apps.map((app) => {
    const child = spawn(process.execPath, ['--conditions=@org/source', '--import', 'tsx', app.entry], {
      cwd: repoRoot,
      env: io.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const prefix = `${app.name.padEnd(width)} | `;
    for (const stream of [child.stdout, child.stderr]) {
      if (stream)
        createInterface({ input: stream }).on('line', (line) => io.stdout.write(`${prefix}${line}\n`));
    }
    return { app, child };
  });
  const stopAll = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const { child } of children)
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  const relays = SIGNALS.map((signal) => {
    const relay = () => stopAll(signal);
    process.on(signal, relay);
    return () => process.off(signal, relay);
  });
  try {
    const codes = await Promise.all(
      children.map(async ({ app, child }) => {
        const code = await exitCodeOf(child);
        io.stdout.write(`${app.name.padEnd(width)} | exited with ${code}\n`);
        if (!stopping) stopAll('SIGTERM');
        return code;
      }),
    );
    return codes.every((code) => code === 0) ? 0 : 1;
  } finally {
    for (const remove of relays) remove();
  }
}

async function exitCodeOf(child: ChildProcess): Promise<number | string> {
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return code ?? signal ?? 'unknown';
}
