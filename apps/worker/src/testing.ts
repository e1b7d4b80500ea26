/**
 * The door other packages' tests use to run this worker in-process, wired exactly as `main.ts` wires it (the
 * api's end-to-end tests of the jobs its routes enqueue). Not a public API: the worker is a process.
 */
export { createLogger } from './createLogger.js';
export { type Env, parseEnv } from './env.js';
export { type RunningWorker, startWorker } from './startWorker.js';
