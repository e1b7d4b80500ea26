import { PROBLEM_TYPES, type ProblemType } from './problemTypes.js';

/** An error the api answers as `application/problem+json` with a stable `type`. */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Sent as the problem's `detail`; absent when the title says it all. */
  readonly detail: string | undefined;

  constructor(
    readonly type: ProblemType,
    options: { detail?: string; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(options.detail ?? PROBLEM_TYPES[type].title, { cause: options.cause });
    this.status = PROBLEM_TYPES[type].status;
    this.headers = options.headers ?? {};
    this.detail = options.detail;
  }

  static notFound(): ProblemError {
    return new ProblemError('not-found');
  }

  static unauthenticated(): ProblemError {
    return new ProblemError('unauthenticated');
  }

  static rateLimited(retryAfterSeconds: number): ProblemError {
    return new ProblemError('rate-limited', {
      detail: `Try again in ${retryAfterSeconds} seconds`,
      headers: { 'retry-after': String(retryAfterSeconds) },
    });
  }
}
