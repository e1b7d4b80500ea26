import { type ChildProcess, spawn } from 'node:child_process';
import { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** From `@org/cli`, re-exported for the suites that import it from here. */
export { freePort } from '@org/cli';

/**
 * A private redis-server (never the shared one on 6379), with an fsync'd AOF so a restart keeps its data; a
 * test may stop, freeze (SIGSTOP: connections stay open, nothing answers) and restart it.
 */
export class OwnRedis {
  private child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--dir',
        this.dir,
      ],
      { stdio: 'ignore' },
    );
    for (let attempt = 0; attempt < 100; attempt += 1) {
      if (await this.answers()) return;
      await sleep(50);
    }
    throw new Error(`redis-server on port ${this.port} did not start`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    await exited;
  }

  /** Stops the process without closing its connections: commands are written and never answered. */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  private async answers(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = new Socket();
      socket.once('error', () => resolve(false));
      socket.connect(this.port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
    });
  }
}
