export { setupRedisCluster as setup } from '@org/sessions/testing/vitest';
