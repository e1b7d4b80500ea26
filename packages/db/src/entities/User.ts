import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { type UserId, UserIds, type UserSlug } from '../idKinds.js';

/**
 * A user account. The primary key is a UUIDv6 that encodes `dateJoined`; `slug` is the opaque Base62
 * identifier for public URLs, compared byte by byte (collation "C": it is an identifier, not a word).
 *
 * @example
 * const user = em.create(User, { email: 'ada@example.com', password: hash });
 * await em.flush(); // id, slug and dateJoined are filled in
 */
export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p
      .uuid()
      .primary()
      .$type<UserId>()
      .onCreate(() => UserIds.newId()),
    slug: p
      .string()
      .length(UserIds.slugLength)
      .collation('C')
      .unique()
      .$type<UserSlug>()
      .onCreate(() => UserIds.newSlug()),
    email: p.string().length(254).unique(),
    password: p.string().length(128).hidden().lazy(),
    firstName: p.string().length(150).default(''),
    lastName: p.string().length(150).default(''),
    isActive: p.boolean().default(true),
    isStaff: p.boolean().default(false),
    emailVerified: p.boolean().default(false),
    dateJoined: p.datetime().onCreate(() => new Date()),
    lastLogin: p.datetime().nullable(),
  },
});

export type User = InferEntity<typeof User>;
