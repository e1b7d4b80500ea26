import { z } from 'zod';
import type { Slug, UuidV6 } from './brand.js';
import { describeType } from './describe.js';
import { isUuidV6 } from './parseUuidV6.js';
import { problemOf } from './problem.js';
import { DEFAULT_SLUG_LENGTH, isSlug, slugProblem } from './slug.js';
import { toUuidV6 } from './uuidFormat.js';

/** Builds a v6 schema whose messages start with `label` (e.g. 'User id'). */
export function uuidV6Schema(label = 'UUIDv6') {
  return z
    .string({ error: (issue) => `expected a ${label} string, got ${describeType(issue.input)}` })
    .toLowerCase()
    .refine((value): value is UuidV6 => isUuidV6(value), {
      error: (issue) => `invalid ${label}: ${problemOf(toUuidV6, issue.input) ?? 'not a UUIDv6'}`,
      abort: true,
    });
}

/** Builds a slug schema of `length` characters whose messages start with `label` (e.g. 'User slug'). */
export function slugSchema(length = DEFAULT_SLUG_LENGTH, label = 'slug') {
  return z
    .string({ error: (issue) => `expected a ${label} string, got ${describeType(issue.input)}` })
    .refine((value): value is Slug => isSlug(value, length), {
      error: (issue) => `invalid ${label}: ${slugProblem(issue.input, length) ?? 'not a slug'}`,
      abort: true,
    });
}

/**
 * zod 4 schema: a UUIDv6 string in any case, parsed to its canonical lowercase form as a branded `UuidV6`.
 *
 * @example
 * const Params = z.object({ id: UuidV6Schema });
 * Params.parse({ id: '1EC9414C-232A-6B00-B3C8-9F6BDECED846' }).id; // '1ec9414c-232a-6b00-b3c8-9f6bdeced846'
 * UuidV6Schema.safeParse(crypto.randomUUID()).error?.issues[0]?.message;
 * // 'invalid UUIDv6: expected a UUIDv6, got version 4: "..."'
 */
export const UuidV6Schema = /* @__PURE__ */ uuidV6Schema();

/**
 * zod 4 schema: a 12-character Base62 slug, as a branded `Slug`.
 *
 * @example
 * const Params = z.object({ slug: SlugSchema });
 * Params.parse({ slug: 'x7Gq2LmZ0pQa' }).slug; // Slug
 */
export const SlugSchema = /* @__PURE__ */ slugSchema();
