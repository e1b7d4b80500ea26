import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The repository root, where the root scripts (`pnpm migrate`, `pnpm demo`) run. */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * Runs `pnpm <script> <args>` from the repository root, as a team types it, and returns its exit code and
 * output whatever the code (tests of exit codes go through the root scripts, where pnpm could change them).
 *
 * @example
 * const { code, stderr } = await runRootScript('migrate', ['--bogus']);
 * expect(code).toBe(2);
 */
export async function runRootScript(
  script: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('pnpm', [script, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}
