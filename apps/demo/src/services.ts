import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** `node --conditions=@org/source --import tsx <entry>`: how the root scripts run a TypeScript entry. */
function tsxArgs(entry: string): string[] {
  return ['--conditions=@org/source', '--import', 'tsx', fileURLToPath(new URL(entry, `file://${repoRoot}`))];
}

export interface Service {
  readonly name: string;
  /** Sends SIGTERM and waits for a clean exit; SIGKILL after `graceMs`. Resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
  /** Everything the process printed so far (structured logs, one JSON object a line). */
  output(): string;
}

/**
 * Runs a command of the repository (`tooling/migrate/src/main.ts` is `pnpm migrate`) in the foreground, its
 * output shown as it comes; resolves with its exit code.
 */
export function runCommandOf(
  entry: string,
  args: string[],
  env: Record<string, string>,
): Promise<number | null> {
  const child = spawn(process.execPath, [...tsxArgs(entry), ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: 'inherit',
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
}

/**
 * Starts one of the apps as its own process, exactly as `pnpm start` would (tsx on the source, Node 24).
 * It gets its own process group so that stopping it leaves nothing behind.
 */
export function startService(name: string, entry: string, env: Record<string, string>): Service {
  const child: ChildProcess = spawn(process.execPath, tsxArgs(entry), {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return {
    name,
    output: () => output,
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      process.kill(-child.pid!, 'SIGTERM');
      const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), graceMs);
      const [code] = (await exited) as [number | null];
      clearTimeout(timer);
      return code;
    },
  };
}

/**
 * How long the demo waits for a service it started: tsx transforms the api's or the worker's sources cold at each
 * start, seconds on a quiet machine and up to a minute on a loaded one (CI runs every package's tests at once).
 */
export const SERVICE_START_TIMEOUT_MS = 120_000;

/** Polls `url` until it answers 200, or fails with the service's output. */
export async function waitUntilReady(
  service: Service,
  url: string,
  timeoutMs = SERVICE_START_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(150);
  }
  throw new Error(
    `${service.name} did not become ready at ${url} within ${timeoutMs} ms:\n${service.output()}`,
  );
}
