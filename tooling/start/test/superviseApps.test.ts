import { captureIo } from '@org/cli/testing';
import { describe, expect, it } from 'vitest';
import { superviseApps } from '../src/superviseApps.js';

const FIXTURE = 'tooling/start/test/fixtures/app.ts';

/** Waits until every app printed its first line. */
async function untilReady(io: ReturnType<typeof captureIo>, apps: number) {
  for (let i = 0; i < 400 && (io.out().match(/\| ready /g) ?? []).length < apps; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('superviseApps', () => {
  it('prefixes every line and exits 0 when Ctrl-C (SIGINT to every app) stopped each cleanly', async () => {
    const io = captureIo({ env: { ...process.env } });
    const running = superviseApps(
      [
        { name: 'api', entry: FIXTURE },
        { name: 'worker', entry: FIXTURE },
      ],
      io,
    );
    await untilReady(io, 2);
    // What the terminal does on Ctrl-C: SIGINT to every process of the foreground group, the apps included.
    for (const [, pid] of io.out().matchAll(/\| ready (\d+)$/gm)) process.kill(Number(pid), 'SIGINT');
    expect(await running, io.out()).toBe(0);
    expect(io.out()).toMatch(/^api {4}\| ready \d+$/m);
    expect(io.out()).toMatch(/^worker \| got SIGINT$/m);
    expect(io.out()).toContain('api    | exited with 0\n');
    expect(io.out()).toContain('worker | exited with 0\n');
  });

  it('stops the others when one app exits on its own, and exits 1', async () => {
    const io = captureIo({ env: { ...process.env } });
    const code = await superviseApps(
      [
        { name: 'api', entry: FIXTURE },
        { name: 'crash', entry: 'tooling/start/test/fixtures/crash.ts' },
      ],
      io,
    );
    expect(code).toBe(1);
    expect(io.out()).toContain('crash | exited with 3\n');
    expect(io.out()).toMatch(/^api {3}\| got SIGTERM$/m);
    expect(io.out()).toContain('api   | exited with 0\n');
  });
});
