import type { UserId } from '@org/db';
import type { Em } from '../context.js';
import { ProblemError } from '../http/ProblemError.js';
import { queryOne, toIsoString } from '../sql.js';

/**
 * Deactivates the user and records when the worker may delete the account, in one transaction; returns that
 * instant. Asking twice keeps the first request's instant.
 */
export async function deactivateForDeletion(em: Em, userId: UserId, graceSeconds: number): Promise<string> {
  return em.transactional(async (tx) => {
    await tx.execute('update users set is_active = false where id = ?', [userId], 'run');
    const row = await queryOne<{ delete_after: Date | string }>(
      tx,
      `insert into account_deletions (user_id, requested_at, delete_after)
       values (?, now(), now() + make_interval(secs => ?))
       on conflict (user_id) do update set user_id = excluded.user_id
       returning delete_after`,
      [userId, graceSeconds],
    );
    if (row === null) throw new Error('account_deletions returned no row');
    return toIsoString(row.delete_after);
  });
}

/** When the user's account will be deleted, or null when no deletion is pending for it. */
export async function pendingDeletionOf(em: Em, userId: UserId): Promise<string | null> {
  const row = await queryOne<{ delete_after: Date | string }>(
    em,
    'select delete_after from account_deletions where user_id = ?',
    [userId],
  );
  return row === null ? null : toIsoString(row.delete_after);
}

/** The problem a sign-in or a password reset of an account pending deletion gets. */
export function accountPendingDeletion(deleteAfter: string): ProblemError {
  return new ProblemError('account-pending-deletion', {
    detail: `The account was deactivated at its owner's request and will be deleted after ${deleteAfter}; until then, support can restore it.`,
  });
}

/**
 * What an operator runs to restore an account within its grace period (psql: `\set slug 'AbC123...'` then the
 * statement with `:'slug'` for `?`): it removes the deletion request and reactivates the user, and returns the
 * slug, or no row when there was nothing to restore (unknown slug, no deletion pending, or the grace period
 * over: the worker may be deleting it). The api README shows it; the tests run this very text.
 */
export const RESTORE_ACCOUNT_SQL = `with restored as (
  delete from account_deletions d using users u
   where d.user_id = u.id and u.slug = ? and d.delete_after > now()
  returning d.user_id
)
update users set is_active = true where id in (select user_id from restored) returning slug`;
