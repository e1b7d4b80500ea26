import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { User } from './User.js';

/**
 * A deletion the user asked for (`DELETE /me`): the user is deactivated at once and deleted, with everything
 * that cascades, by the worker once `deleteAfter` has passed. Until then an operator can restore the account
 * by deleting this row and reactivating the user (see the api README).
 *
 * @example
 * em.create(AccountDeletion, { user, deleteAfter: new Date(Date.now() + 30 * 86_400_000) });
 */
export const AccountDeletion = defineEntity({
  name: 'AccountDeletion',
  tableName: 'account_deletions',
  properties: {
    user: () => p.oneToOne(User).owner().ref().primary().deleteRule('cascade'),
    requestedAt: p.datetime().onCreate(() => new Date()),
    deleteAfter: p.datetime().index(),
  },
});

export type AccountDeletion = InferEntity<typeof AccountDeletion>;
