import { describe, expect, it } from 'vitest';
import { createStyle } from './createStyle.js';

describe('createStyle', () => {
  it('is bold on a terminal', () => {
    expect(createStyle({ isTTY: true, write: () => true }, {}).bold('x')).toBe('\x1b[1mx\x1b[22m');
  });

  it.each([
    ['a pipe or a file', { isTTY: false }, {}],
    ['a stream that does not say', {}, {}],
    ['NO_COLOR=1 on a terminal', { isTTY: true }, { NO_COLOR: '1' }],
  ])('writes no escape codes to %s', (_label, stream, env) => {
    const style = createStyle({ ...stream, write: () => true }, env);
    expect(style.bold('heading')).toBe('heading');
    expect(style.dim('note')).toBe('note');
  });

  it('treats an empty NO_COLOR as unset (no-color.org)', () => {
    expect(createStyle({ isTTY: true, write: () => true }, { NO_COLOR: '' }).bold('x')).not.toBe('x');
  });
});
