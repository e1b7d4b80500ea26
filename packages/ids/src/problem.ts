import { IdError } from './errors.js';

/** Runs a validator and returns the message of the IdError it throws, or undefined when it passes. */
export function problemOf(validate: (value: unknown) => unknown, value: unknown): string | undefined {
  try {
    validate(value);
    return undefined;
  } catch (error) {
    if (error instanceof IdError) return error.message;
    throw error;
  }
}
