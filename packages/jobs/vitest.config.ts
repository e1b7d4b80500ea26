import { workspaceVitestConfig } from '../../tooling/vitest.shared.ts';

// The queued-jobs step's suites seed and check thousands of jobs; a loaded CI machine can take minutes.
export default workspaceVitestConfig({ integrationTimeoutMs: 180_000 });
