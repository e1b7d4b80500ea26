import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { type UserId, UserIds, type UserSlug } from '../idKinds.js';

const EMAIL_LOWER_UNIQUE = 'users_email_lower_unique';
/**
 * Emails are unique and matched case-insensitively (legacy rows kept the case users typed, new ones are stored
 * lower-case): this index serves `EMAIL_MATCHES_SQL` and refuses an address that differs from another only in
 * case. Its keys compare byte by byte (collation "C": equality is the same, and it builds in 60% of the time).
 * The cutover builds it with the other keys; its preflight refuses such duplicates first.
 */
export const EMAIL_LOWER_UNIQUE_SQL = `create unique index "${EMAIL_LOWER_UNIQUE}" on "users" ((lower("email") collate "C"))`;

/**
 * The SQL condition "`users.email` is the address `?`, ignoring case": the form `users_email_lower_unique`
 * serves (without the collation, PostgreSQL would scan every user).
 *
 * @example
 * await em.execute(`select id from users where ${EMAIL_MATCHES_SQL}`, [email]);
 */
export const EMAIL_MATCHES_SQL = `lower(email) collate "C" = lower(?)`;

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
  uniques: [{ name: EMAIL_LOWER_UNIQUE, expression: EMAIL_LOWER_UNIQUE_SQL }],
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
    // Unique through users_email_lower_unique: addresses differ in more than case, so they differ.
    email: p.string().length(254),
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
