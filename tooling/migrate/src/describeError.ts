import type { StepError } from './StepReport.js';

/**
 * A failed step's error for `--json`: its name, its stable `code` (`UNEXPECTED` for errors without one), its
 * message, and the structured fields its class carries (`differences`, `problems`, `table`, ...).
 */
export function describeError(error: unknown): StepError {
  if (!(error instanceof Error)) return { name: 'Error', code: 'UNEXPECTED', message: String(error) };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (!['cause', 'name', 'code', 'message', 'stack'].includes(key)) fields[key] = value;
  }
  const code = (error as { code?: unknown }).code;
  return {
    ...fields,
    name: error.name,
    code: typeof code === 'string' ? code : 'UNEXPECTED',
    message: error.message,
  };
}
