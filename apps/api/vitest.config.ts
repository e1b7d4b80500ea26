import { mergeConfig } from 'vitest/config';
// A relative .ts path: vitest loads its config with plain Node, which cannot map the package's .js imports.
import { withRedisCluster } from '../../packages/sessions/src/testing/withRedisCluster.ts';
import { workspaceVitestConfig } from '../../tooling/vitest.shared.ts';

// The test files share no module state (each builds its own apps, databases and key prefixes), so they run in
// one module graph: importing the stack once instead of once per file saves about a third of the suite's time.
// The Redis suites run on one Redis and on a 3-master Redis Cluster the run starts (issue 14).
export default withRedisCluster(
  mergeConfig(workspaceVitestConfig(), { test: { isolate: false } }),
  './test/redisCluster.globalSetup.ts',
);
