import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { type ProfileId, ProfileIds } from '../idKinds.js';
import { User } from './User.js';

/**
 * The public profile of a user (one per user). Its UUIDv6 encodes `createdAt`.
 *
 * @example
 * em.create(UserProfile, { user, displayName: 'Ada' });
 */
export const UserProfile = defineEntity({
  name: 'UserProfile',
  tableName: 'user_profiles',
  properties: {
    id: p
      .uuid()
      .primary()
      .$type<ProfileId>()
      .onCreate(() => ProfileIds.newId()),
    user: () => p.oneToOne(User).owner().ref().deleteRule('cascade'),
    displayName: p.string().length(150).default(''),
    bio: p.text().default(''),
    avatarUrl: p.string().length(500).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export type UserProfile = InferEntity<typeof UserProfile>;
