import { defineIdKind, type IdOf, type SlugOf } from '@org/ids';

/** Identifier kind of a user: a UUIDv6 primary key plus the Base62 slug used in public URLs. */
export const UserIds = defineIdKind('User');
/** Identifier kind of a user profile. */
export const ProfileIds = defineIdKind('Profile');
/** Identifier kind of a verification token (email verification, password reset). */
export const TokenIds = defineIdKind('Token');
/** Identifier kind of a linked social account. */
export const SocialAccountIds = defineIdKind('SocialAccount');
/**
 * Identifier kind of a data export. Its slug is longer than a user's (22 Base62 characters, 131 bits): it
 * names a private archive, so it must not be guessable even though only its owner may fetch it.
 */
export const ExportIds = defineIdKind('Export', { slugLength: 22 });

export type UserId = IdOf<typeof UserIds>;
export type UserSlug = SlugOf<typeof UserIds>;
export type ProfileId = IdOf<typeof ProfileIds>;
export type TokenId = IdOf<typeof TokenIds>;
export type SocialAccountId = IdOf<typeof SocialAccountIds>;
export type ExportId = IdOf<typeof ExportIds>;
export type ExportSlug = SlugOf<typeof ExportIds>;
