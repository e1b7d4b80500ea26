import { EMAIL_MATCHES_SQL, type UserId } from '@org/db';
import type { Em } from '../context.js';
import { queryOne, toIsoString } from '../sql.js';
import type { Me, PublicProfile } from './userSchemas.js';

interface PublicProfileRow {
  slug: string;
  display_name: string | null;
  first_name: string;
  last_name: string;
  bio: string | null;
  avatar_url: string | null;
  date_joined: Date | string;
}

// One indexed lookup (users.slug is unique) joined to the 1:1 profile; hot path of the api.
const PUBLIC_PROFILE_SELECT = `select u.slug, u.first_name, u.last_name, u.date_joined,
  p.display_name, p.bio, p.avatar_url
  from users u left join user_profiles p on p.user_id = u.id`;
const PUBLIC_PROFILE_BY_SLUG = `${PUBLIC_PROFILE_SELECT} where u.slug = ? and u.is_active`;
const PUBLIC_PROFILE_BY_ID = `${PUBLIC_PROFILE_SELECT} where u.id = ? and u.is_active`;

function toPublicProfile(row: PublicProfileRow): PublicProfile {
  const name = `${row.first_name} ${row.last_name}`.trim();
  return {
    slug: row.slug,
    displayName: row.display_name || name,
    bio: row.bio ?? '',
    avatarUrl: row.avatar_url,
    memberSince: toIsoString(row.date_joined),
  };
}

export async function findPublicProfileBySlug(em: Em, slug: string): Promise<PublicProfile | null> {
  const row = await queryOne<PublicProfileRow>(em, PUBLIC_PROFILE_BY_SLUG, [slug]);
  return row ? toPublicProfile(row) : null;
}

/** Same lookup by primary key: only the benchmark uses it, as the peer of the slug lookup. */
export async function findPublicProfileById(em: Em, id: UserId): Promise<PublicProfile | null> {
  const row = await queryOne<PublicProfileRow>(em, PUBLIC_PROFILE_BY_ID, [id]);
  return row ? toPublicProfile(row) : null;
}

interface MeRow {
  slug: string;
  email: string;
  first_name: string;
  last_name: string;
  email_verified: boolean;
  date_joined: Date | string;
  display_name: string | null;
  bio: string | null;
  avatar_url: string | null;
}

const ME_BY_ID = `select u.slug, u.email, u.first_name, u.last_name, u.email_verified, u.date_joined,
  p.display_name, p.bio, p.avatar_url
  from users u left join user_profiles p on p.user_id = u.id where u.id = ? and u.is_active`;

/** The signed-in user's account; null when the user is gone or deactivated (the session is then void). */
export async function findMe(em: Em, id: UserId): Promise<Me | null> {
  const row = await queryOne<MeRow>(em, ME_BY_ID, [id]);
  if (!row) return null;
  return {
    slug: row.slug,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    emailVerified: row.email_verified,
    dateJoined: toIsoString(row.date_joined),
    profile: { displayName: row.display_name ?? '', bio: row.bio ?? '', avatarUrl: row.avatar_url },
  };
}

export interface LoginRow {
  id: UserId;
  password: string;
  is_active: boolean;
}

/** Emails are matched case-insensitively: legacy rows kept whatever case users typed. */
export async function findLoginUser(em: Em, email: string): Promise<LoginRow | null> {
  const row = await queryOne<LoginRow>(
    em,
    `select id, password, is_active from users where ${EMAIL_MATCHES_SQL} limit 1`,
    [email],
  );
  return row ?? null;
}
