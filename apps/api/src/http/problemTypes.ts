/** Base of every problem `type` URI (RFC 9457 s3.1.1): stable, documented in the README, never changed. */
export const PROBLEM_BASE = 'https://api.example.org/problems/';

/** Every problem the api answers with: status and title per stable type name. */
export const PROBLEM_TYPES = {
  'validation-error': { status: 400, title: 'The request is not valid' },
  'malformed-json': { status: 400, title: 'The request body is not valid JSON' },
  'token-invalid': { status: 400, title: 'The token is not valid' },
  unauthenticated: { status: 401, title: 'Sign in to continue' },
  'invalid-credentials': { status: 401, title: 'Email or password is wrong' },
  'wrong-password': { status: 403, title: 'The current password is wrong' },
  'account-pending-deletion': {
    status: 403,
    title: 'This account is deactivated and scheduled for deletion',
  },
  'not-found': { status: 404, title: 'Not found' },
  'request-timeout': { status: 408, title: 'The request did not arrive in time' },
  'email-taken': { status: 409, title: 'An account with this email already exists' },
  'token-already-used': { status: 409, title: 'The token has already been used' },
  'social-account-taken': { status: 409, title: 'This social account is linked to another user' },
  'last-login-method': { status: 409, title: 'The last way to sign in cannot be removed' },
  'token-expired': { status: 410, title: 'The token has expired' },
  'export-expired': { status: 410, title: 'The export has expired' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'uri-too-long': { status: 414, title: 'The request URI is too long' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'expectation-failed': { status: 417, title: 'The expectation cannot be met' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  'headers-too-large': { status: 431, title: 'The request headers are too large' },
  'bad-request': { status: 400, title: 'Bad request' },
  'internal-error': { status: 500, title: 'Internal server error' },
  'service-unavailable': { status: 503, title: 'The service is temporarily unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemType = keyof typeof PROBLEM_TYPES;

/** The full `type` URI of a problem. */
export function problemTypeUri(type: ProblemType): string {
  return `${PROBLEM_BASE}${type}`;
}
