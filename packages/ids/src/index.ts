export type { KindId, KindSlug, Slug, UuidV6 } from './brand.js';
export { compareUuids } from './compareUuids.js';
export type { IdKind, IdKindOptions, IdOf, SlugOf } from './defineIdKind.js';
export { defineIdKind } from './defineIdKind.js';
export {
  IdError,
  InvalidIdKindError,
  InvalidInstantError,
  InvalidSlugError,
  InvalidUuidError,
  UuidVersionError,
} from './errors.js';
export { isUuidV6, parseUuidV6 } from './parseUuidV6.js';
export { SlugSchema, UuidV6Schema } from './schemas.js';
export { BASE62_ALPHABET, isSlug, parseSlug, slug } from './slug.js';
export { uuidFromBytes, uuidToBytes } from './uuidBytes.js';
export { uuidV1ToV6, uuidV6ToV1 } from './uuidV1ToV6.js';
export { uuidV6Date, uuidV6Ticks } from './uuidV6Ticks.js';
export { uuidVersion } from './uuidVersion.js';
export { uuidv6 } from './uuidv6.js';
export { uuidv6At } from './uuidv6At.js';
export { uuidv6Batch } from './uuidv6Batch.js';
