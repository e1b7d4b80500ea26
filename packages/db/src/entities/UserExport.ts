import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { type ExportId, ExportIds, type ExportSlug } from '../idKinds.js';
import { User } from './User.js';

/** Where an export stands: queued (`pending`) or built (`ready`, with its archive). */
export const EXPORT_STATUSES = ['pending', 'ready'] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

/**
 * An archive of a user's data requested through `POST /me/export`: the api creates it `pending`, the worker
 * fills `archive` and marks it `ready`, and removes it once `expiresAt` has passed. It lives in PostgreSQL so
 * that any api instance can serve it. Its UUIDv6 encodes `createdAt`; `slug` is the opaque public handle.
 *
 * @example
 * em.create(UserExport, { user, expiresAt: new Date(Date.now() + 7 * 86_400_000) });
 */
export const UserExport = defineEntity({
  name: 'UserExport',
  tableName: 'user_exports',
  properties: {
    id: p
      .uuid()
      .primary()
      .$type<ExportId>()
      .onCreate(() => ExportIds.newId()),
    slug: p
      .string()
      .length(ExportIds.slugLength)
      .collation('C')
      .unique()
      .$type<ExportSlug>()
      .onCreate(() => ExportIds.newSlug()),
    user: () => p.manyToOne(User).ref().index().deleteRule('cascade'),
    status: p.string().length(10).$type<ExportStatus>().default('pending'),
    createdAt: p.datetime().onCreate(() => new Date()),
    completedAt: p.datetime().nullable(),
    expiresAt: p.datetime().index(),
    archive: p.json<Record<string, unknown>>().nullable(),
  },
});

export type UserExport = InferEntity<typeof UserExport>;
