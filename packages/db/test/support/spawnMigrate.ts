import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Orm } from '../../src/index.js';
import { rows } from './withOrm.js';

const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));
const CLI = fileURLToPath(new URL('../../src/cli/migrate.ts', import.meta.url));
/**
 * How long `waitForLine` waits, counted from the spawn: a fresh CI machine running every package's tests at once
 * on two cores has taken 25 s just to start the command (tsx transforming its sources cold). A hang, not speed.
 */
export const LINE_TIMEOUT_MS = 120_000;
/** The timeout of a test that starts the command (up to twice) and waits for it. */
export const MIGRATE_TEST_TIMEOUT_MS = 2 * LINE_TIMEOUT_MS + 60_000;

export interface MigrateProcess {
  readonly child: ChildProcess;
  /** Everything written so far. */
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves once a stderr line contains `text`. */
  waitForLine(text: string, timeoutMs?: number): Promise<void>;
  /** Exit code (null when killed) and signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the `migrate` command from source in a child process (the Node that runs the tests). */
export function spawnMigrate(args: readonly string[], env: Record<string, string>): MigrateProcess {
  const child = spawn(process.execPath, ['--conditions=@org/source', '--import', 'tsx', CLI, ...args], {
    cwd: PACKAGE_DIR,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    for (const waiter of [...waiters]) {
      if (err.includes(waiter.text)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForLine(text, timeoutMs = LINE_TIMEOUT_MS) {
      if (err.includes(text)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no "${text}" on stderr within ${timeoutMs} ms:\n${err}`)),
          timeoutMs,
        );
        waiters.push({
          text,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        void exited.then(() => {
          clearTimeout(timer);
          if (!err.includes(text)) reject(new Error(`migrate exited before "${text}":\n${err}\n${out}`));
        });
      });
    },
  };
}

/** Runs `migrate` to completion. */
export async function runMigrate(args: readonly string[], env: Record<string, string>) {
  const process = spawnMigrate(args, env);
  const { code } = await process.exited;
  return { code, stdout: process.stdout(), stderr: process.stderr() };
}

/** Waits until no other session on the database is inside a transaction (the killed one has rolled back). */
export async function waitForOtherSessionsToEnd(o: Orm): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const [row] = await rows<{ n: number }>(
      o,
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND state IS DISTINCT FROM 'idle'`,
    );
    if (row?.n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the killed migration session is still running');
}
