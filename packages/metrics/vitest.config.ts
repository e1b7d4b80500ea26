import { workspaceVitestConfig } from '../../tooling/vitest.shared.ts';

export default workspaceVitestConfig();
