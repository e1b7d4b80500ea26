/** Redis could not be reached or answered with an error: callers answer 503, never "signed out". */
export class SessionStoreUnavailableError extends Error {
  override readonly name = 'SessionStoreUnavailableError';
  readonly code = 'SESSION_STORE_UNAVAILABLE';

  constructor(operation: string, options?: { cause?: unknown }) {
    super(`Session store unavailable during ${operation}`, options);
  }
}

/** A store option is out of range (e.g. an idle TTL longer than the absolute TTL). */
export class SessionConfigError extends Error {
  override readonly name = 'SessionConfigError';
  readonly code = 'SESSION_CONFIG_INVALID';
}
