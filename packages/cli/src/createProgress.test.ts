import { describe, expect, it } from 'vitest';
import { createProgress } from './createProgress.js';

function recorder(isTTY: boolean) {
  const writes: string[] = [];
  return { stream: { isTTY, write: (text: string) => writes.push(text) }, writes };
}

describe('createProgress', () => {
  it('off a terminal writes whole lines, throttled, and always the last status', () => {
    let clock = 0;
    const { stream, writes } = recorder(false);
    const progress = createProgress(stream, { intervalMs: 1000, now: () => clock });
    for (let done = 1; done <= 200; done += 1) {
      clock += 50;
      progress.update(`jobs: ${done}/200`);
    }
    progress.done();
    const text = writes.join('');
    expect(text).not.toContain('\r');
    expect(text).not.toContain('\x1b');
    const lines = text.trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(12);
    expect(lines[0]).toBe('jobs: 1/200');
    expect(lines.at(-1)).toBe('jobs: 200/200');
  });

  it('does not repeat a status that was already shown when it ends', () => {
    const { stream, writes } = recorder(false);
    const progress = createProgress(stream, { now: () => 0 });
    progress.update('only one');
    progress.done();
    expect(writes.join('')).toBe('only one\n');
  });

  it('on a terminal redraws the status in place and ends it with a newline before a permanent line', () => {
    let clock = 0;
    const { stream, writes } = recorder(true);
    const progress = createProgress(stream, { now: () => clock });
    progress.update('a 1/2');
    clock += 100;
    progress.update('a 2/2');
    progress.line('step a done');
    expect(writes.join('')).toBe('\r\x1b[2Ka 1/2\r\x1b[2Ka 2/2\nstep a done\n');
  });
});
