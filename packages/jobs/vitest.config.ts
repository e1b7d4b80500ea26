// A relative .ts path: vitest loads its config with plain Node, which cannot map the package's .js imports.

import { workspaceVitestConfig } from '../../tooling/vitest.shared.ts';
import { withRedisCluster } from '../sessions/src/testing/withRedisCluster.ts';

// The queued-jobs step's suites seed and check thousands of jobs; a loaded CI machine can take minutes.
// Every Redis suite runs on one Redis and on a 3-master Redis Cluster the run starts (issue 14).
export default withRedisCluster(
  workspaceVitestConfig({ integrationTimeoutMs: 180_000 }),
  './test/redisCluster.globalSetup.ts',
);
