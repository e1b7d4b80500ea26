import { runRootScript } from '@org/cli/testing';
import { describe, expect, it } from 'vitest';
import { DEMO_COMMAND, usersFrom } from '../src/demoCommand.js';

describe.concurrent('pnpm demo, the command', () => {
  it('answers --help with its usage and exit code 0', async () => {
    const { code, stdout } = await runRootScript('demo', ['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain(DEMO_COMMAND.usage);
  });

  it('exits 2 with the usage on a bad flag, through the root script (pnpm forwards the `--`), without a stack trace', async () => {
    const { code, stderr } = await runRootScript('demo', ['--', '--users', 'lots']);
    expect(code).toBe(2);
    expect(stderr).toContain('pnpm demo: --users must be an integer from 3 to 1000000, got "lots"');
    expect(stderr).toContain('usage: pnpm demo [--users N]');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('reads --users within its range', () => {
    expect(usersFrom('200000')).toBe(200_000);
    expect(() => usersFrom('1000001')).toThrow('--users must be an integer from 3 to 1000000, got "1000001"');
    expect(() => usersFrom('')).toThrow('--users must be an integer');
  });
});
