/** One sample of a Prometheus text exposition: `name{label="value",...} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * Parses what `/metrics` answered (comments skipped); throws on a line that is not a sample.
 *
 * @example
 * const samples = parseSamples(await (await fetch(server.url)).text());
 */
export function parseSamples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = SAMPLE_LINE.exec(line);
      if (match === null) throw new Error(`not a sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key!] = JSON.parse(`"${value}"`);
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

/**
 * The sum of the samples of `name` whose labels include `labels` (0 when there is none).
 *
 * @example
 * sampleValue(samples, 'http_requests_total', { route: '/me', status: '200' }); // every method's count
 */
export function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value))
    .reduce((sum, s) => sum + s.value, 0);
}

/**
 * The distinct values of one label among the samples of `name`, sorted.
 *
 * @example
 * labelValues(samples, 'http_requests_total', 'route'); // ['/me', '/users/:slug', 'unmatched']
 */
export function labelValues(samples: Sample[], name: string, label: string): string[] {
  return [...new Set(samples.filter((s) => s.name === name).map((s) => s.labels[label] ?? ''))].sort();
}
