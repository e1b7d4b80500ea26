declare const brand: unique symbol;
declare const kind: unique symbol;

/** A UUIDv6 in canonical form: 36 characters, lowercase, version 6, variant `10`. */
export type UuidV6 = string & { readonly [brand]: 'UuidV6' };

/** An opaque Base62 slug (0-9, a-z, A-Z). */
export type Slug = string & { readonly [brand]: 'Slug' };

/** A UUIDv6 that identifies an entity of kind `K` (see `defineIdKind`). */
export type KindId<K extends string> = UuidV6 & { readonly [kind]: K };

/** A slug that identifies an entity of kind `K` (see `defineIdKind`). */
export type KindSlug<K extends string> = Slug & { readonly [kind]: K };
