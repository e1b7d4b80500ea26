import type { z } from 'zod';
import type { KindId, KindSlug } from './brand.js';
import { describeType } from './describe.js';
import { InvalidIdKindError, InvalidSlugError } from './errors.js';
import { isUuidV6 } from './parseUuidV6.js';
import { slugSchema, uuidV6Schema } from './schemas.js';
import { DEFAULT_SLUG_LENGTH, isSlug, parseSlug, slug, slugLengthProblem } from './slug.js';
import { toUuidV6 } from './uuidFormat.js';
import { uuidv6 } from './uuidv6.js';
import { uuidv6At } from './uuidv6At.js';
import { uuidv6Batch } from './uuidv6Batch.js';

/** The ids and slugs of one kind of entity, as returned by `defineIdKind`. */
export interface IdKind<K extends string> {
  readonly name: K;
  readonly slugLength: number;
  /** zod schema: a UUIDv6 in any case -> canonical lowercase `KindId<K>`. */
  readonly idSchema: z.ZodType<KindId<K>, string>;
  /** zod schema: a Base62 slug of `slugLength` characters -> `KindSlug<K>`. */
  readonly slugSchema: z.ZodType<KindSlug<K>, string>;
  /** A new monotonic id (shares `uuidv6`'s generator, so ids of all kinds increase together). */
  newId(): KindId<K>;
  /** An id for a past instant, like `uuidv6At`. */
  newIdAt(instant: Date | number, ticks100ns?: number): KindId<K>;
  /** Ids for many instants, like `uuidv6Batch` (equal instants keep input order). */
  newIdBatch(instants: readonly (Date | number)[]): KindId<K>[];
  newSlug(): KindSlug<K>;
  /** Like `parseUuidV6`, typed as this kind's id. */
  parseId(value: string): KindId<K>;
  /** Like `parseSlug` with this kind's length, typed as this kind's slug. */
  parseSlug(value: string): KindSlug<K>;
  isId(value: unknown): value is KindId<K>;
  isSlug(value: unknown): value is KindSlug<K>;
}

/** The id type of a kind: `type UserId = IdOf<typeof UserIds>`. */
export type IdOf<T> = T extends IdKind<infer K> ? KindId<K> : never;
/** The slug type of a kind: `type UserSlug = SlugOf<typeof UserIds>`. */
export type SlugOf<T> = T extends IdKind<infer K> ? KindSlug<K> : never;

export interface IdKindOptions {
  /** Slug length for this kind, 1..256; 12 by default. */
  readonly slugLength?: number;
}

/**
 * Declares a kind of entity with its own branded id and slug types, so that a `UserId` cannot be passed
 * where a `ProfileId`, a `UserSlug` or a `number` is expected. Brands exist only in types: at runtime ids
 * are plain strings.
 *
 * @example
 * export const UserIds = defineIdKind('User');
 * export type UserId = IdOf<typeof UserIds>;
 * export type UserSlug = SlugOf<typeof UserIds>;
 *
 * const id: UserId = UserIds.newId();
 * const Params = z.object({ slug: UserIds.slugSchema });
 */
export function defineIdKind<const K extends string>(name: K, options: IdKindOptions = {}): IdKind<K> {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidIdKindError(
      `expected the kind's name as a non-empty string, got ${describeKindName(name)}`,
    );
  }
  if (typeof options !== 'object' || options === null) {
    throw new InvalidIdKindError(
      `expected the options of kind ${name} as an object, got ${describeType(options)}`,
    );
  }
  const slugLength = kindSlugLength(name, options);
  return {
    name,
    slugLength,
    idSchema: uuidV6Schema(`${name} id`) as unknown as z.ZodType<KindId<K>, string>,
    slugSchema: slugSchema(slugLength, `${name} slug`) as unknown as z.ZodType<KindSlug<K>, string>,
    newId: uuidv6 as () => KindId<K>,
    newIdAt: uuidv6At as (instant: Date | number, ticks100ns?: number) => KindId<K>,
    newIdBatch: uuidv6Batch as (instants: readonly (Date | number)[]) => KindId<K>[],
    newSlug: () => slug(slugLength) as KindSlug<K>,
    parseId: toUuidV6 as (value: string) => KindId<K>,
    parseSlug: (value) => parseSlug(value, slugLength) as KindSlug<K>,
    isId: isUuidV6 as (value: unknown) => value is KindId<K>,
    isSlug: (value): value is KindSlug<K> => isSlug(value, slugLength),
  };
}

function describeKindName(name: unknown): string {
  return typeof name === 'string' ? 'an empty string' : describeType(name);
}

/** Validated `options.slugLength`, 12 when absent. A getter or proxy trap that throws is reported too. */
function kindSlugLength(name: string, options: object): number {
  let length: unknown;
  try {
    length = (options as IdKindOptions).slugLength;
  } catch (error) {
    throw new InvalidIdKindError(`could not read options.slugLength of kind ${name}`, { cause: error });
  }
  if (length === undefined) return DEFAULT_SLUG_LENGTH;
  const problem = slugLengthProblem(length, 'slugLength');
  if (problem !== undefined) throw new InvalidSlugError(problem);
  return length as number;
}
