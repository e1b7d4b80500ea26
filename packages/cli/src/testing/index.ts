export { type CapturedIo, captureIo } from './captureIo.js';
export { REPO_ROOT, runRootScript } from './runRootScript.js';
