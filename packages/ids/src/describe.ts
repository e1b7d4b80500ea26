/** Names a value's type for error messages: `null`, `array`, `number`, ... */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Quotes a value for an error message without letting a huge input blow up the message. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}...` : value);
}

/** `1 character`, `2 characters`. */
export function characters(count: number): string {
  return count === 1 ? '1 character' : `${count} characters`;
}
