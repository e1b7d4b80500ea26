/** Where a command writes: `process.stdout` / `process.stderr`, or a buffer in tests. */
export interface OutputStream {
  write(text: string): unknown;
  /** True when the stream is a terminal: progress is then redrawn in place and headings may be bold. */
  readonly isTTY?: boolean | undefined;
}

/** What a command reads and writes besides its argv, so that it can run in-process under test. */
export interface CommandIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
}

/**
 * The io of the running process.
 *
 * @example
 * process.exitCode = await runCommand(spec, process.argv.slice(2), processIo(), main);
 */
export function processIo(): CommandIo {
  return { env: process.env, stdout: process.stdout, stderr: process.stderr };
}
