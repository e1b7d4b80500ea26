export { setupRedisCluster as setup } from '../src/testing/vitest.js';
