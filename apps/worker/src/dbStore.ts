import {
  type AnyOrm,
  type ExportId,
  SocialAccount,
  type TokenId,
  type TokenPurpose,
  User,
  UserExport,
  type UserId,
  UserProfile,
  VerificationToken,
} from '@org/db';

/** What a token email needs from the database; the token hash is only there to check the secret. */
export interface TokenEmailRecord {
  tokenId: TokenId;
  userId: UserId;
  purpose: TokenPurpose;
  tokenHash: string;
  expiresAt: Date;
  usedAt: Date | null;
  email: string;
  firstName: string;
  isActive: boolean;
}

/**
 * A user's data as exported (format `user-export/2`): an allow-list of columns under public names. Never a
 * password or token hash, a provider token from `extra_data`, an internal UUID or a legacy integer id: the
 * user is named by their public slug, and the other rows by what they are (a provider and its uid).
 */
export interface UserExportData {
  account: {
    slug: string;
    email: string;
    firstName: string;
    lastName: string;
    emailVerified: boolean;
    dateJoined: string;
    lastLogin: string | null;
  };
  profile: { displayName: string; bio: string; avatarUrl: string | null; createdAt: string } | null;
  socialAccounts: {
    provider: string;
    uid: string;
    extraData: unknown;
    dateJoined: string;
    lastLogin: string | null;
  }[];
}

/** What `deleteAccountsPastGrace` did: how many users it deleted, and who (to end any session left). */
export interface DeletedAccounts {
  deleted: number;
  userIds: UserId[];
}

/** The worker's reads and writes, one fork of the entity manager per call. */
export interface WorkerStore {
  loadTokenEmail(tokenId: TokenId): Promise<TokenEmailRecord | null>;
  loadUserExport(userId: UserId): Promise<UserExportData | null>;
  /**
   * Stores the archive of a pending export of this user and marks it ready; false when there is no such
   * pending export (removed after its expiry, or its user deleted), so nothing was stored.
   */
  completeExport(
    exportId: ExportId,
    userId: UserId,
    archive: Record<string, unknown>,
    at: Date,
  ): Promise<boolean>;
  /** Deletes exports (and their archives) expired at `now`, `batchSize` rows per statement; returns the count. */
  deleteExpiredExports(options: { now: Date; batchSize: number; signal?: AbortSignal }): Promise<number>;
  /**
   * Deletes the users whose deletion grace ended at `now`, with everything that cascades (profile, tokens,
   * social accounts, exports, the deletion request) and their `legacy_user_ids` row when that table still
   * exists. Batches are claimed with `FOR UPDATE SKIP LOCKED`: two workers never wait on or repeat a batch.
   */
  deleteAccountsPastGrace(options: {
    now: Date;
    batchSize: number;
    signal?: AbortSignal;
  }): Promise<DeletedAccounts>;
  /** Deletes tokens expired or used before `before`, `batchSize` rows per statement; returns the count. */
  deleteFinishedTokens(options: { before: Date; batchSize: number; signal?: AbortSignal }): Promise<number>;
}

const SECRET_KEY = /token|secret|password|passwd|credential|key/i;

export function createDbStore(orm: AnyOrm): WorkerStore {
  return {
    async loadTokenEmail(tokenId) {
      const em = orm.em.fork();
      const token = await em.findOne(VerificationToken, { id: tokenId }, { populate: ['user'] });
      if (token === null) return null;
      const user = token.user.getEntity();
      return {
        tokenId: token.id,
        userId: user.id,
        purpose: token.purpose,
        tokenHash: token.tokenHash,
        expiresAt: token.expiresAt,
        usedAt: token.usedAt ?? null,
        email: user.email,
        firstName: user.firstName,
        isActive: user.isActive,
      };
    },

    async loadUserExport(userId) {
      const em = orm.em.fork();
      const user = await em.findOne(User, { id: userId });
      if (user === null) return null;
      const profile = await em.findOne(UserProfile, { user: userId });
      const accounts = await em.find(SocialAccount, { user: userId }, { orderBy: { id: 'asc' } });
      return {
        account: {
          slug: user.slug,
          email: user.email,
          firstName: user.firstName,
          lastName: user.lastName,
          emailVerified: user.emailVerified,
          dateJoined: user.dateJoined.toISOString(),
          lastLogin: user.lastLogin?.toISOString() ?? null,
        },
        profile:
          profile === null
            ? null
            : {
                displayName: profile.displayName,
                bio: profile.bio,
                avatarUrl: profile.avatarUrl ?? null,
                createdAt: profile.createdAt.toISOString(),
              },
        socialAccounts: accounts.map((account) => ({
          provider: account.provider,
          uid: account.uid,
          extraData: withoutSecrets(account.extraData),
          dateJoined: account.dateJoined.toISOString(),
          lastLogin: account.lastLogin?.toISOString() ?? null,
        })),
      };
    },

    async completeExport(exportId, userId, archive, at) {
      const em = orm.em.fork();
      const updated = await em.nativeUpdate(
        UserExport,
        { id: exportId, user: userId, status: 'pending', expiresAt: { $gt: at } },
        { status: 'ready', archive, completedAt: at },
      );
      return updated > 0;
    },

    async deleteExpiredExports({ now, batchSize, signal }) {
      let deleted = 0;
      for (;;) {
        if (signal?.aborted) return deleted;
        const em = orm.em.fork();
        const batch = await em.find(
          UserExport,
          { expiresAt: { $lte: now } },
          { fields: ['id'], limit: batchSize },
        );
        if (batch.length === 0) return deleted;
        deleted += await em.nativeDelete(UserExport, { id: { $in: batch.map((row) => row.id) } });
        if (batch.length < batchSize) return deleted;
      }
    },

    async deleteAccountsPastGrace({ now, batchSize, signal }) {
      const userIds: UserId[] = [];
      for (;;) {
        if (signal?.aborted) break;
        const batch = await orm.em.fork().transactional(async (tx) => {
          const claimed = await tx.execute<{ user_id: UserId }[]>(
            `select user_id from account_deletions where delete_after <= ?
             order by delete_after limit ? for update skip locked`,
            [now, batchSize],
            'all',
          );
          const ids = claimed.map((row) => row.user_id);
          if (ids.length === 0) return ids;
          const [map] = await tx.execute<{ present: boolean }[]>(
            `select to_regclass('legacy_user_ids') is not null as present`,
            [],
            'all',
          );
          // The opt-in migration may have dropped the map already; while it exists, a deleted user leaves no
          // row in it.
          if (map?.present === true) {
            const placeholders = ids.map(() => '?').join(', ');
            await tx.execute(`delete from legacy_user_ids where user_id in (${placeholders})`, ids, 'run');
          }
          await tx.nativeDelete(User, { id: { $in: ids } });
          return ids;
        });
        userIds.push(...batch);
        if (batch.length < batchSize) break;
      }
      return { deleted: userIds.length, userIds };
    },

    async deleteFinishedTokens({ before, batchSize, signal }) {
      let deleted = 0;
      for (;;) {
        if (signal?.aborted) return deleted;
        const em = orm.em.fork();
        const batch = await em.find(
          VerificationToken,
          { $or: [{ expiresAt: { $lt: before } }, { usedAt: { $lt: before } }] },
          { fields: ['id'], limit: batchSize },
        );
        if (batch.length === 0) return deleted;
        deleted += await em.nativeDelete(VerificationToken, { id: { $in: batch.map((token) => token.id) } });
        if (batch.length < batchSize) return deleted;
      }
    },
  };
}

/** Identity providers put access and refresh tokens into `extra_data`: an export never carries them. */
function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !SECRET_KEY.test(key))
      .map(([key, inner]) => [key, withoutSecrets(inner)]),
  );
}
