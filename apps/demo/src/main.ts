/**
 * `pnpm demo`: a legacy system with integer keys is seeded, cut over to UUIDv6 keys by the same task a team runs
 * (`pnpm migrate`), and then used through the new api and worker. Needs no configuration: PostgreSQL is embedded
 * unless DATABASE_URL is set; Redis comes from REDIS_URL (default local), under a prefix of its own.
 */
import { processIo } from '@org/cli';
import { runDemoCommand } from './runDemo.js';

process.exitCode = await runDemoCommand(process.argv.slice(2), processIo());
