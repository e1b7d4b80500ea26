import type { OutputStream } from './CommandIo.js';

/** A running status line (`jobs: 20,000/100,000`) and the permanent lines around it. */
export interface Progress {
  /** The current status; replaces the previous one. */
  update(text: string): void;
  /** A line that stays (ends the status line first). */
  line(text: string): void;
  /** Ends the status: its last value is left as a line, once. */
  done(): void;
}

export interface ProgressOptions {
  /** Off a terminal, at most one status line per interval (default 1000 ms); the last one always appears. */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

/**
 * Progress that suits where it goes. On a terminal the status is redrawn in place (`\r`, at most every 50 ms).
 * Anywhere else (a pipe, a log file, CI) every status is a whole line, and they are throttled: 100,000 jobs
 * give a handful of lines, not hundreds of `\r` updates glued onto one line.
 *
 * @example
 * const progress = createProgress(process.stderr);
 * for (const batch of batches) progress.update(`jobs: ${done}/${total}`);
 * progress.done();
 */
export function createProgress(stream: OutputStream, options: ProgressOptions = {}): Progress {
  const tty = stream.isTTY === true;
  const interval = tty ? 50 : (options.intervalMs ?? 1000);
  const now = options.now ?? (() => performance.now());
  let pending: string | undefined;
  let shown: string | undefined;
  let lastShownAt = Number.NEGATIVE_INFINITY;
  let inPlace = false;

  const show = (text: string) => {
    stream.write(tty ? `\r\x1b[2K${text}` : `${text}\n`);
    inPlace = tty;
    shown = text;
    pending = undefined;
    lastShownAt = now();
  };
  const finish = () => {
    if (pending !== undefined && pending !== shown) show(pending);
    if (inPlace) stream.write('\n');
    inPlace = false;
    pending = undefined;
    shown = undefined;
    lastShownAt = Number.NEGATIVE_INFINITY;
  };
  return {
    update(text) {
      pending = text;
      if (now() - lastShownAt >= interval) show(text);
    },
    line(text) {
      finish();
      stream.write(`${text}\n`);
    },
    done: finish,
  };
}
