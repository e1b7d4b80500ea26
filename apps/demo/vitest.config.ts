// A relative .ts path: vitest loads its config with plain Node, which cannot map the package's .js imports.
import { withRedisCluster } from '../../packages/sessions/src/testing/withRedisCluster.ts';
import { workspaceVitestConfig } from '../../tooling/vitest.shared.ts';

// The demo also runs on a 3-master Redis Cluster that the test run starts (issue 14).
export default withRedisCluster(workspaceVitestConfig(), './test/redisCluster.globalSetup.ts');
