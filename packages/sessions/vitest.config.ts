import { workspaceVitestConfig } from '../../tooling/vitest.shared.ts';
import { withRedisCluster } from './src/testing/withRedisCluster.ts';

export default withRedisCluster(workspaceVitestConfig(), './test/redisCluster.globalSetup.ts');
