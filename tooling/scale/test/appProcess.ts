import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The monorepo root: the apps run from there, exactly as `pnpm start` runs them. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * How long a test waits for a process it started to be ready: on a fresh CI machine running every package's
 * tests at once on two cores, tsx transforming the sources cold has kept an api silent for 45 s. A hang, not speed.
 */
export const START_TIMEOUT_MS = 120_000;

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface AppProcess {
  readonly name: string;
  readonly pid: number;
  /** Everything it printed so far, stdout and stderr interleaved (pino logs: one JSON object a line). */
  output(): string;
  /** Its log lines that parse as JSON objects. */
  logLines(): Record<string, unknown>[];
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitStatus>;
  isRunning(): boolean;
  /** Sends `signal` to its process group, and nothing else. */
  signal(signal: NodeJS.Signals): void;
  /** Sends SIGTERM to its process group; resolves with the exit status, or `null` if it outlives `timeoutMs`. */
  stop(timeoutMs: number): Promise<ExitStatus | null>;
  /** SIGKILL to the whole group, the last resort so that nothing outlives the test. */
  kill(): void;
}

/**
 * Starts an app entry (`apps/api/src/server.ts`, ...) on the source, under the Node that runs the tests, in its
 * own process group so that a signal reaches tsx and everything it started.
 */
export function startAppProcess(name: string, entry: string, env: Record<string, string>): AppProcess {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--conditions=@org/source', '--import', 'tsx', fileURLToPath(new URL(entry, `file://${repoRoot}`))],
    { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  if (child.pid === undefined) throw new Error(`${name}: spawn failed (no pid)`);
  const pid = child.pid;
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let status: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      status = { code, signal };
      resolve(status);
    });
    child.once('error', (error) => {
      output += `\n[spawn error] ${error.message}\n`;
    });
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  };
  return {
    name,
    pid,
    output: () => output,
    logLines: () => parseLogLines(output),
    exited,
    isRunning: () => status === undefined,
    signal: signalGroup,
    async stop(timeoutMs) {
      if (status !== undefined) return status;
      signalGroup('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), timeoutMs);
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    kill() {
      signalGroup('SIGKILL');
    },
  };
}

function parseLogLines(output: string): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const parsed: unknown = JSON.parse(line);
      if (parsed !== null && typeof parsed === 'object') lines.push(parsed as Record<string, unknown>);
    } catch {
      // a partial line still being written, or not a log line
    }
  }
  return lines;
}

/** The tail of a process's output, for assertion messages (whole logs of four processes are unreadable). */
export function describeOutput(app: AppProcess, maxChars = 4_000): string {
  const output = app.output();
  const tail = output.length > maxChars ? `...${output.slice(-maxChars)}` : output;
  return `--- ${app.name} (pid ${app.pid}) ---\n${tail}`;
}
