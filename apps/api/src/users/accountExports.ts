import {
  type ExportId,
  ExportIds,
  type ExportSlug,
  type ExportStatus,
  User,
  UserExport,
  type UserId,
} from '@org/db';
import type { Em } from '../context.js';
import { queryOne, toIsoString } from '../sql.js';

/** A new pending export of the user, expiring `ttlSeconds` from now. */
export async function createExport(
  em: Em,
  userId: UserId,
  ttlSeconds: number,
): Promise<{ id: ExportId; slug: ExportSlug; expiresAt: Date }> {
  const row = em.create(UserExport, {
    user: em.getReference(User, userId),
    expiresAt: new Date(Date.now() + ttlSeconds * 1000),
  });
  await em.flush();
  return { id: row.id, slug: row.slug, expiresAt: row.expiresAt };
}

export interface OwnExport {
  slug: string;
  status: ExportStatus;
  createdAt: string;
  completedAt: string | null;
  expiresAt: string;
  expired: boolean;
  archive: Record<string, unknown> | null;
}

interface ExportRow {
  slug: string;
  status: ExportStatus;
  created_at: Date | string;
  completed_at: Date | string | null;
  expires_at: Date | string;
  expired: boolean;
  archive: Record<string, unknown> | string | null;
}

/**
 * The user's export with this slug, or null when there is none: an unknown slug, a malformed one, and another
 * user's are the same null (the route answers all three alike). Expiry is judged by the database's clock.
 */
export async function findOwnExport(em: Em, userId: UserId, slug: string): Promise<OwnExport | null> {
  if (!ExportIds.isSlug(slug)) return null;
  const row = await queryOne<ExportRow>(
    em,
    `select slug, status, created_at, completed_at, expires_at, expires_at <= now() as expired,
       case when expires_at > now() then archive end as archive
     from user_exports where slug = ? and user_id = ?`,
    [slug, userId],
  );
  if (row === null) return null;
  return {
    slug: row.slug,
    status: row.status,
    createdAt: toIsoString(row.created_at),
    completedAt: row.completed_at === null ? null : toIsoString(row.completed_at),
    expiresAt: toIsoString(row.expires_at),
    expired: row.expired,
    archive: typeof row.archive === 'string' ? JSON.parse(row.archive) : row.archive,
  };
}
