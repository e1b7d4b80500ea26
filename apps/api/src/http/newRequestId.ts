import { randomBytes } from 'node:crypto';

/** A request id: 12 random bytes, base64url (16 characters). Never a counter, never the client's value. */
export function newRequestId(): string {
  return randomBytes(12).toString('base64url');
}
