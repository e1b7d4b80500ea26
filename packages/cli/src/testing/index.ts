export { type CapturedIo, captureIo } from './captureIo.js';
