import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { type SocialAccountId, SocialAccountIds } from '../idKinds.js';
import { User } from './User.js';

/**
 * An account at an external identity provider linked to a user; `(provider, uid)` is unique.
 * Its UUIDv6 encodes `dateJoined`.
 *
 * @example
 * em.create(SocialAccount, { user, provider: 'github', uid: '583231' });
 */
export const SocialAccount = defineEntity({
  name: 'SocialAccount',
  tableName: 'social_accounts',
  uniques: [{ properties: ['provider', 'uid'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .$type<SocialAccountId>()
      .onCreate(() => SocialAccountIds.newId()),
    user: () => p.manyToOne(User).ref().index().deleteRule('cascade'),
    provider: p.string().length(30),
    uid: p.string().length(191),
    extraData: p.json<Record<string, unknown>>().default('{}'),
    dateJoined: p.datetime().onCreate(() => new Date()),
    lastLogin: p.datetime().nullable(),
  },
});

export type SocialAccount = InferEntity<typeof SocialAccount>;
