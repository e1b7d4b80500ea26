import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** Runs a TypeScript fixture in a child process on this same Node, with workspace sources resolved. */
export async function runFixture(
  fixture: string,
  args: readonly string[],
  nodeFlags: readonly string[] = [],
) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...nodeFlags, '--conditions=@org/source', '--import', 'tsx', `test/fixtures/${fixture}`, ...args],
    { cwd: packageDir, maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout;
}
