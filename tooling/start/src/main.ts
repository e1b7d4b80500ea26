import { processIo, runCommand } from '@org/cli';
import { APPS, superviseApps } from './superviseApps.js';

const START_COMMAND = {
  name: 'pnpm start',
  usage: `usage: pnpm start

Runs the api (apps/api) and the worker (apps/worker) against DATABASE_URL and REDIS_URL, each line prefixed
with the app's name. Ctrl-C (or SIGTERM) stops both gracefully; exit code 0 when both stopped cleanly, 1 when
one failed or did not stop cleanly. Run pnpm migrate first. Each app's README lists its variables.`,
  options: {},
} as const;

process.exitCode = await runCommand(START_COMMAND, process.argv.slice(2), processIo(), (_values, io) =>
  superviseApps(APPS, io),
);
