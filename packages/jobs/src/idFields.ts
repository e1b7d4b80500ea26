import { TokenIds, UserIds } from '@org/db';
import { z } from 'zod';

/**
 * Field schemas shared by every payload, built from the id kinds of `@org/db` so producers pass the same
 * branded `UserId` / `TokenId` the entities carry. The description is what a rejected payload's reason says
 * was expected (`userId: expected a UUIDv6 string, got number 123`), so it reads as the end of that sentence.
 */
export const UserIdField = UserIds.idSchema.describe('a UUIDv6 string');
export const TokenIdField = TokenIds.idSchema.describe('a UUIDv6 string');

/** The raw email token (base64url or hex), only ever carried by the two email jobs. */
export const SecretField = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,512}$/)
  .describe('a URL-safe token string of 8-512 characters');

/** Fields whose value never appears in an error message or a log line. */
export const SENSITIVE_FIELDS: ReadonlySet<string> = new Set(['secret']);
