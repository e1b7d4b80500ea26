import type { ViteUserConfig } from 'vitest/config';

/**
 * Adds a Redis Cluster `globalSetup` (a file re-exporting `setupRedisCluster`) to the `integration` project of
 * a workspace vitest config only: unit tests never start a cluster, and a run without integration tests
 * starts none.
 *
 * @example
 * export default withRedisCluster(workspaceVitestConfig(), './test/redisCluster.globalSetup.ts');
 */
export function withRedisCluster<T extends ViteUserConfig>(config: T, globalSetupFile: string): T {
  const projects = config.test?.projects;
  if (!Array.isArray(projects)) throw new Error('withRedisCluster needs a config with test.projects');
  let found = false;
  const withSetup = projects.map((project) => {
    if (typeof project !== 'object' || project === null || !('test' in project)) return project;
    if (project.test?.name !== 'integration') return project;
    found = true;
    const existing = project.test.globalSetup ?? [];
    return {
      ...project,
      test: {
        ...project.test,
        globalSetup: [...(Array.isArray(existing) ? existing : [existing]), globalSetupFile],
      },
    };
  });
  if (!found) throw new Error('withRedisCluster found no project named "integration"');
  return { ...config, test: { ...config.test, projects: withSetup } };
}
