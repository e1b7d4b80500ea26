import { processIo } from '@org/cli';
import { runMigrate } from './runMigrate.js';

process.exitCode = await runMigrate(process.argv.slice(2), processIo());
