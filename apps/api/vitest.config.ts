import { mergeConfig } from 'vitest/config';
import { workspaceVitestConfig } from '../../tooling/vitest.shared.ts';

// The test files share no module state (each builds its own apps, databases and key prefixes), so they run in
// one module graph: importing the stack once instead of once per file saves about a third of the suite's time.
export default mergeConfig(workspaceVitestConfig(), { test: { isolate: false } });
