import { captureIo, runRootScript } from '@org/cli/testing';
import { describe, expect, it } from 'vitest';
import { DEMO_COMMAND, usersFrom } from '../src/demoCommand.js';
import { runDemoCommand } from '../src/runDemo.js';

/** Starting pnpm, tsx and the demo's imports takes seconds on a quiet machine, a minute or more under CI load. */
const THROUGH_PNPM_MS = 180_000;

describe('pnpm demo, the command', () => {
  it('answers --help with its usage and exit code 0, starting nothing', async () => {
    const io = captureIo();
    expect(await runDemoCommand(['--help'], io)).toBe(0);
    expect(io.out()).toBe(`${DEMO_COMMAND.usage}\n`);
  });

  it.each([[['--bogus']], [['--users', '2']], [['--', '--users', 'lots']], [['--users']]])(
    '%j is a usage error: the problem and the usage, exit code 2, starting nothing',
    async (argv) => {
      const io = captureIo();
      expect(await runDemoCommand(argv, io)).toBe(2);
      expect(io.err()).toMatch(/^pnpm demo: /);
      expect(io.err()).toContain('usage: pnpm demo [--users N]');
      expect(io.out()).toBe('');
    },
  );

  it(
    'keeps exit code 2 through the root script (pnpm forwards the `--`), without a stack trace',
    async () => {
      const { code, stderr } = await runRootScript('demo', ['--', '--users', 'lots']);
      expect(code).toBe(2);
      expect(stderr).toContain('pnpm demo: --users must be an integer from 3 to 1000000, got "lots"');
      expect(stderr).not.toMatch(/\n\s+at /);
    },
    THROUGH_PNPM_MS,
  );

  it('reads --users within its range', () => {
    expect(usersFrom('200000')).toBe(200_000);
    expect(() => usersFrom('1000001')).toThrow('--users must be an integer from 3 to 1000000, got "1000001"');
    expect(() => usersFrom('')).toThrow('--users must be an integer');
  });
});
