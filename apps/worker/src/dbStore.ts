import {
  type AnyOrm,
  SocialAccount,
  type TokenId,
  type TokenPurpose,
  User,
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

/** A user's data as exported: an allow-list of columns, never the password hash or token hashes. */
export interface UserExport {
  user: {
    id: string;
    slug: string;
    email: string;
    firstName: string;
    lastName: string;
    isActive: boolean;
    isStaff: boolean;
    emailVerified: boolean;
    dateJoined: string;
    lastLogin: string | null;
  };
  profile: {
    id: string;
    displayName: string;
    bio: string;
    avatarUrl: string | null;
    createdAt: string;
  } | null;
  socialAccounts: {
    id: string;
    provider: string;
    uid: string;
    extraData: unknown;
    dateJoined: string;
    lastLogin: string | null;
  }[];
}

/** The worker's reads and writes, one fork of the entity manager per call. */
export interface WorkerStore {
  loadTokenEmail(tokenId: TokenId): Promise<TokenEmailRecord | null>;
  loadUserExport(userId: UserId): Promise<UserExport | null>;
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
        user: {
          id: user.id,
          slug: user.slug,
          email: user.email,
          firstName: user.firstName,
          lastName: user.lastName,
          isActive: user.isActive,
          isStaff: user.isStaff,
          emailVerified: user.emailVerified,
          dateJoined: user.dateJoined.toISOString(),
          lastLogin: user.lastLogin?.toISOString() ?? null,
        },
        profile:
          profile === null
            ? null
            : {
                id: profile.id,
                displayName: profile.displayName,
                bio: profile.bio,
                avatarUrl: profile.avatarUrl ?? null,
                createdAt: profile.createdAt.toISOString(),
              },
        socialAccounts: accounts.map((account) => ({
          id: account.id,
          provider: account.provider,
          uid: account.uid,
          extraData: withoutSecrets(account.extraData),
          dateJoined: account.dateJoined.toISOString(),
          lastLogin: account.lastLogin?.toISOString() ?? null,
        })),
      };
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
