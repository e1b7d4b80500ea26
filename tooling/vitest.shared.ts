import { defineConfig } from 'vitest/config';

/**
 * One vitest setup for every workspace package: workspace imports resolve to source through the
 * `@org/source` export condition, and tests that need PostgreSQL or Redis run as their own project.
 */
export function workspaceVitestConfig(options: { integrationTimeoutMs?: number } = {}) {
  const integrationTimeout = options.integrationTimeoutMs ?? 60_000;
  // CI runs every package's tests at once on two cores: a loop of 3 million ids or a property test of
  // thousands of runs can take several times its quiet-machine duration. Timeouts catch hangs, not speed.
  const unitTimeout = 60_000;
  return defineConfig({
    ssr: { resolve: { conditions: ['@org/source', 'module', 'node', 'development|production'] } },
    resolve: { conditions: ['@org/source', 'module', 'node', 'development|production'] },
    test: {
      projects: [
        {
          extends: true,
          test: {
            name: 'unit',
            include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
            exclude: ['**/*.pg.test.ts', '**/*.redis.test.ts', '**/node_modules/**'],
            testTimeout: unitTimeout,
            hookTimeout: unitTimeout,
          },
        },
        {
          extends: true,
          test: {
            name: 'integration',
            include: ['src/**/*.{pg,redis}.test.ts', 'test/**/*.{pg,redis}.test.ts'],
            testTimeout: integrationTimeout,
            hookTimeout: integrationTimeout,
          },
        },
      ],
    },
  });
}
