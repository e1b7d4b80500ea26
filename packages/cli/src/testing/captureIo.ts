import type { CommandIo, OutputStream } from '../CommandIo.js';

export interface CapturedIo extends CommandIo {
  /** Everything written to stdout so far. */
  out(): string;
  /** Everything written to stderr so far. */
  err(): string;
}

/**
 * A `CommandIo` that keeps what a command prints, for running commands in-process under test.
 *
 * @example
 * const io = captureIo({ env: { NO_COLOR: '1' } });
 * expect(await runMigrate(['--help'], io)).toBe(0);
 * expect(io.out()).toContain('usage: pnpm migrate');
 */
export function captureIo(
  options: { env?: Record<string, string | undefined>; isTTY?: boolean } = {},
): CapturedIo {
  let out = '';
  let err = '';
  const stream = (append: (text: string) => void): OutputStream => ({
    write: (text: string) => {
      append(text);
      return true;
    },
    isTTY: options.isTTY ?? false,
  });
  return {
    env: options.env ?? {},
    stdout: stream((text) => {
      out += text;
    }),
    stderr: stream((text) => {
      err += text;
    }),
    out: () => out,
    err: () => err,
  };
}
