import { redactUrl } from '@org/cli';

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

/** `REDIS_CLUSTER_NODES` (or another Redis setting) cannot be used as given. */
export class RedisConfigError extends Error {
  override readonly name = 'RedisConfigError';
  readonly code = 'REDIS_CONFIG_INVALID';
}

/**
 * Redis did not answer at `url` (refused, unknown host, timeout). The message names the address and says what
 * to do: on this machine, the `redis-server` command for REDIS_URL's own port; elsewhere, check the server.
 */
export class RedisUnreachableError extends Error {
  override readonly name = 'RedisUnreachableError';
  readonly code = 'REDIS_UNREACHABLE';
  /** REDIS_URL without its password, or REDIS_CLUSTER_NODES. */
  readonly url: string;

  constructor(url: string, options: { cause: unknown; clusterNodes?: readonly string[] | undefined }) {
    const nodes = options.clusterNodes ?? [];
    const shown = nodes.length > 0 ? nodes.join(',') : redactUrl(url);
    const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(
      nodes.length > 0
        ? `cannot reach the Redis Cluster at ${shown} (${reason}).\nCheck that REDIS_CLUSTER_NODES names nodes ` +
            'of a running cluster (`redis-cli -p <port> cluster info` says cluster_state:ok), or unset it to use REDIS_URL.'
        : `cannot reach Redis at ${shown} (${reason}).\n${startHint(url)}`,
      { cause: options.cause },
    );
    this.url = shown;
  }
}

function startHint(url: string): string {
  let host = '127.0.0.1';
  let port = '6379';
  try {
    const parsed = new URL(url);
    host = parsed.hostname.replace(/^\[|\]$/g, '') || host;
    port = parsed.port || port;
  } catch {
    // the message already says the URL cannot be parsed
  }
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
    return `Check that Redis runs on ${host}:${port} and accepts connections, or point REDIS_URL at one that does.`;
  }
  return (
    `Start one with: redis-server --daemonize yes --bind 127.0.0.1 --port ${port} --save "" --appendonly no\n` +
    'or point REDIS_URL at a running one.'
  );
}
