/**
 * `pnpm legacy:seed --users N`: a realistic legacy system to rehearse the cutover on (the runbook's step 3):
 * the legacy schema with N users and their profiles, tokens and social accounts in DATABASE_URL, legacy
 * sessions and token sets in Redis under LEGACY_KEY_PREFIX, and jobs queued with integer ids under
 * QUEUE_PREFIX, exactly where `pnpm migrate` looks for them. Only into an empty database or a legacy one.
 */
import {
  createProgress,
  DatabaseUrlField,
  EnvError,
  EXIT,
  parseEnvWith,
  processIo,
  RedisUrlField,
  redactUrl,
  runCommand,
  UsageError,
} from '@org/cli';
import { initOrm, runMigrations } from '@org/db';
import { resolveQueuePrefix } from '@org/jobs';
import { connectRedis, RedisClusterNodesField } from '@org/sessions';
import { z } from 'zod';
import { MAX_USERS } from './demoCommand.js';
import { createLegacySystem, DEMO_USERS } from './legacySystem.js';

const LEGACY_SEED_COMMAND = {
  name: 'pnpm legacy:seed',
  usage: `usage: pnpm legacy:seed --users N

Fills DATABASE_URL (which must be empty, or hold the legacy schema) with a legacy system of N users (${DEMO_USERS.length} to
${MAX_USERS.toLocaleString('en-US')}) and their profiles, tokens and social accounts, Redis with their legacy sessions and token sets,
and the queue with jobs carrying integer ids: a rehearsal database for pnpm migrate --dry-run and pnpm migrate.
  --users N   how many legacy users to seed

Environment: DATABASE_URL (required: the scratch database), REDIS_URL (default redis://127.0.0.1:6379),
REDIS_CLUSTER_NODES (host:port,...: a Redis Cluster instead), LEGACY_KEY_PREFIX (default empty), QUEUE_PREFIX
(default bull, {bull} on a cluster).
Exit code: 0 seeded, 1 refused or failed, 2 usage.`,
  options: { users: { type: 'string' } },
} as const;

const Env = z
  .object({
    DATABASE_URL: DatabaseUrlField,
    REDIS_URL: RedisUrlField,
    REDIS_CLUSTER_NODES: RedisClusterNodesField,
    LEGACY_KEY_PREFIX: z.string().default(''),
    QUEUE_PREFIX: z.string().optional(),
  })
  .transform(resolveQueuePrefix);

process.exitCode = await runCommand(
  LEGACY_SEED_COMMAND,
  process.argv.slice(2),
  processIo(),
  async (values, io) => {
    const users = Number(values.users);
    if (
      values.users === undefined ||
      !Number.isInteger(users) ||
      users < DEMO_USERS.length ||
      users > MAX_USERS
    ) {
      throw new UsageError(
        `--users must be an integer from ${DEMO_USERS.length} to ${MAX_USERS}, got "${values.users ?? ''}"`,
      );
    }
    // Seeding writes thousands of rows and keys: never into a default database by accident.
    if (!io.env.DATABASE_URL) {
      throw new UsageError('set DATABASE_URL to the scratch database to seed (it is never defaulted here)');
    }
    let env: z.output<typeof Env>;
    try {
      env = parseEnvWith(Env, io.env, 'pnpm legacy:seed');
    } catch (error) {
      if (!(error instanceof EnvError)) throw error;
      io.stderr.write(`pnpm legacy:seed: ${error.message}\n`);
      return EXIT.usage;
    }
    const orm = await initOrm({ clientUrl: env.DATABASE_URL, poolMax: 1 });
    try {
      const state = await runMigrations(orm, { dryRun: true, target: redactUrl(env.DATABASE_URL) });
      if (
        state.initialState === 'migrated' ||
        (state.initialState === 'legacy' && state.alreadyApplied.length > 1)
      ) {
        io.stderr.write(
          `pnpm legacy:seed: ${redactUrl(env.DATABASE_URL)} is already migrated; seed an empty scratch database instead\n`,
        );
        return EXIT.failed;
      }
    } finally {
      await orm.close(true);
    }
    const redis = await connectRedis(
      { url: env.REDIS_URL, clusterNodes: env.REDIS_CLUSTER_NODES },
      { connectionName: 'legacy-seed' },
    );
    try {
      const counts = await createLegacySystem({
        databaseUrl: env.DATABASE_URL,
        redis,
        keyPrefix: env.LEGACY_KEY_PREFIX,
        queuePrefix: env.QUEUE_PREFIX,
        users,
        progress: createProgress(io.stdout),
      });
      io.stdout.write(
        `seeded ${redactUrl(env.DATABASE_URL)}: ${counts.users.toLocaleString('en-US')} users, ${counts.profiles.toLocaleString('en-US')} profiles, ${counts.tokens.toLocaleString('en-US')} tokens, ${counts.socialAccounts.toLocaleString('en-US')} social accounts; Redis: ${counts.redisKeys.toLocaleString('en-US')} legacy keys, ${counts.queuedJobs} queued jobs\n`,
      );
      return EXIT.ok;
    } finally {
      redis.disconnect();
    }
  },
);
