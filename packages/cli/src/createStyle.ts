import type { OutputStream } from './CommandIo.js';

/** Emphasis for headings; plain text wherever escape codes would end up as bytes in a file. */
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
}

/**
 * Escape codes only on a terminal, and never when `NO_COLOR` is set to anything but the empty string
 * (https://no-color.org): piped into a file or a CI log, `bold('== 1.')` is just `== 1.`.
 *
 * @example
 * const style = createStyle(process.stdout, process.env);
 * console.log(style.bold('== 1. The legacy system'));
 */
export function createStyle(stream: OutputStream, env: Readonly<Record<string, string | undefined>>): Style {
  const enabled = stream.isTTY === true && (env.NO_COLOR ?? '') === '';
  const wrap = (open: number, close: number) => (text: string) =>
    enabled ? `\x1b[${open}m${text}\x1b[${close}m` : text;
  return { bold: wrap(1, 22), dim: wrap(2, 22) };
}
