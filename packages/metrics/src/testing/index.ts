export { labelValues, parseSamples, type Sample, sampleValue } from './parseSamples.js';
