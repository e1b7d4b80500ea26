import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import type { CommandIo } from './CommandIo.js';
import { UsageError } from './UsageError.js';

/** A command's name (as typed), its usage text and its flags; `--help` / `-h` is added to every command. */
export interface CommandSpec<O extends ParseArgsOptionsConfig> {
  /** How the command is typed, e.g. `pnpm migrate`: it starts every error line. */
  readonly name: string;
  /** Printed for `--help` (stdout, exit 0) and after a usage error (stderr, exit 2). */
  readonly usage: string;
  readonly options: O;
}

/** The parsed flags of a command, typed from its spec (strict: unknown flags and positionals are usage errors). */
export type CommandValues<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ options: O; strict: true; allowPositionals: false }>
>['values'];

/** Exit codes shared by every command of the repo. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/**
 * Parses argv the same way for every command and runs `main` with the flags; returns the exit code.
 * - the literal `--` that pnpm forwards (`pnpm demo -- --users 5`) is skipped, so the flags after it count;
 * - `--help` / `-h` prints the usage on stdout and returns 0;
 * - an unknown flag, a positional, a missing value, or a `UsageError` thrown by `main` prints
 *   `<name>: <problem>` and the usage on stderr and returns 2.
 * Root scripts run these commands with tsx directly: `pnpm --filter` would turn every non-zero exit into 1.
 *
 * @example
 * const spec = { name: 'pnpm demo', usage: 'usage: pnpm demo [--users N]', options: { users: { type: 'string' } } } as const;
 * process.exitCode = await runCommand(spec, process.argv.slice(2), processIo(), async (values) => 0);
 */
export async function runCommand<O extends ParseArgsOptionsConfig>(
  spec: CommandSpec<O>,
  argv: readonly string[],
  io: CommandIo,
  main: (values: CommandValues<O>, io: CommandIo) => Promise<number> | number,
): Promise<number> {
  const usageError = (message: string) => {
    io.stderr.write(`${spec.name}: ${message}\n\n${spec.usage}\n`);
    return EXIT.usage;
  };
  const parsed = parseFlags(spec, argv);
  if (parsed.kind === 'usage-error') return usageError(parsed.message);
  if (parsed.kind === 'help') {
    io.stdout.write(`${spec.usage}\n`);
    return EXIT.ok;
  }
  const { values } = parsed;
  try {
    return await main(values, io);
  } catch (error) {
    if (error instanceof UsageError) return usageError(error.message);
    throw error;
  }
}

/**
 * For scripts that run from top to bottom (benchmarks): the parsed flags, with the same rules as `runCommand`;
 * `--help` prints the usage and exits 0, a usage error prints the problem and the usage and exits 2.
 *
 * @example
 * const values = parseArgvOrExit({ name: 'bench', usage: 'usage: bench [--rounds N]', options: { rounds: { type: 'string' } } });
 */
export function parseArgvOrExit<O extends ParseArgsOptionsConfig>(
  spec: CommandSpec<O>,
  argv: readonly string[] = process.argv.slice(2),
): CommandValues<O> {
  const parsed = parseFlags(spec, argv);
  if (parsed.kind === 'values') return parsed.values;
  if (parsed.kind === 'help') {
    process.stdout.write(`${spec.usage}\n`);
    process.exit(EXIT.ok);
  }
  process.stderr.write(`${spec.name}: ${parsed.message}\n\n${spec.usage}\n`);
  process.exit(EXIT.usage);
}

type Parsed<O extends ParseArgsOptionsConfig> =
  | { kind: 'values'; values: CommandValues<O> }
  | { kind: 'help' }
  | { kind: 'usage-error'; message: string };

function parseFlags<O extends ParseArgsOptionsConfig>(
  spec: CommandSpec<O>,
  argv: readonly string[],
): Parsed<O> {
  try {
    const { values } = parseArgs({
      // pnpm forwards a literal `--` when arguments follow `pnpm <script> --`.
      args: argv.filter((arg) => arg !== '--'),
      options: { ...spec.options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    });
    if ((values as { help?: boolean }).help === true) return { kind: 'help' };
    return { kind: 'values', values: values as CommandValues<O> };
  } catch (error) {
    return { kind: 'usage-error', message: error instanceof Error ? error.message : String(error) };
  }
}
