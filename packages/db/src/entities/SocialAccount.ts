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
  // uid first: a handful of providers share millions of rows, so uids tell keys apart sooner (the index
  // builds in half the time) and serve `provider = ? and uid = ?` all the same.
  uniques: [{ properties: ['uid', 'provider'] }],
  properties: {
    id: p
      .uuid()
      .primary()
      .$type<SocialAccountId>()
      .onCreate(() => SocialAccountIds.newId()),
    user: () => p.manyToOne(User).ref().index().deleteRule('cascade'),
    // Identifiers from the provider, matched exactly: compared byte by byte.
    provider: p.string().length(30).collation('C'),
    uid: p.string().length(191).collation('C'),
    extraData: p.json<Record<string, unknown>>().default('{}'),
    dateJoined: p.datetime().onCreate(() => new Date()),
    lastLogin: p.datetime().nullable(),
  },
});

export type SocialAccount = InferEntity<typeof SocialAccount>;
