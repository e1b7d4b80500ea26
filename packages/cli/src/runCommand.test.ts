import { describe, expect, it } from 'vitest';
import { runCommand } from './runCommand.js';
import { captureIo } from './testing/captureIo.js';
import { UsageError } from './UsageError.js';

const spec = {
  name: 'pnpm thing',
  usage: 'usage: pnpm thing [--count N] [--dry-run]',
  options: { count: { type: 'string' }, 'dry-run': { type: 'boolean' } },
} as const;

async function run(argv: string[]) {
  const io = captureIo();
  const seen: unknown[] = [];
  const code = await runCommand(spec, argv, io, (values) => {
    seen.push(values);
    if (values.count !== undefined && !/^\d+$/.test(values.count)) {
      throw new UsageError(`--count must be a whole number, got "${values.count}"`);
    }
    return values['dry-run'] ? 1 : 0;
  });
  return { code, out: io.out(), err: io.err(), seen };
}

describe('runCommand', () => {
  it('passes the typed flags to main and returns its exit code', async () => {
    expect(await run(['--count', '3'])).toMatchObject({ code: 0, seen: [{ count: '3' }] });
    expect((await run(['--dry-run'])).code).toBe(1);
  });

  it('skips the literal -- that pnpm forwards, so the flags after it count', async () => {
    expect(await run(['--', '--count', '7'])).toMatchObject({ code: 0, seen: [{ count: '7' }] });
  });

  it.each([['--help'], ['-h']])(
    '%s prints the usage on stdout and exits 0 without running main',
    async (flag) => {
      const result = await run([flag]);
      expect(result).toMatchObject({ code: 0, out: `${spec.usage}\n`, err: '', seen: [] });
    },
  );

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['extra'], "Unexpected argument 'extra'"],
    [['--count'], "Option '--count <value>' argument missing"],
    [['--count', 'many'], '--count must be a whole number, got "many"'],
  ])('%j is a usage error: the problem and the usage on stderr, exit 2', async (argv, problem) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.err).toContain(`pnpm thing: ${problem}`);
    expect(result.err).toContain(spec.usage);
    expect(result.err).not.toMatch(/\n\s+at /);
  });

  it('lets other errors of main through', async () => {
    const failing = runCommand(spec, [], captureIo(), () => {
      throw new Error('boom');
    });
    await expect(failing).rejects.toThrow('boom');
  });
});
