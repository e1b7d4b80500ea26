/**
 * Names a value's type for error messages: `null`, `array`, `number`, ... Never runs code of the value's own
 * (no getter, trap or `toString`), so describing a hostile value cannot throw.
 */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object' && isArray(value)) return 'array';
  return typeof value;
}

/** A number as itself, anything else by its type: what a message says about a bad numeric argument. */
export function describeNumber(value: unknown): string {
  return typeof value === 'number' ? String(value) : describeType(value);
}

function isArray(value: object): boolean {
  try {
    return Array.isArray(value);
  } catch {
    return false; // a revoked proxy
  }
}

/** Quotes a value for an error message without letting a huge input blow up the message. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}...` : value);
}

/** `1 character`, `2 characters`. */
export function characters(count: number): string {
  return count === 1 ? '1 character' : `${count} characters`;
}
