import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { defineIdKind, type Slug, SlugSchema, slug, type UuidV6, UuidV6Schema, uuidv6 } from './index.js';

const V6 = '1ec9414c-232a-6b00-b3c8-9f6bdeced846';
const V4 = '9b2c6d7e-1f3a-4b5c-8d9e-0f1a2b3c4d5e';

const messageOf = (schema: z.ZodType, value: unknown) =>
  schema.safeParse(value).error?.issues.map((i) => i.message);

describe('UuidV6Schema', () => {
  it('parses a v6 in any case to its canonical branded form', () => {
    expect(UuidV6Schema.parse(V6.toUpperCase())).toBe(V6);
    const id = uuidv6();
    expect(UuidV6Schema.parse(id)).toBe(id);
    expectTypeOf(UuidV6Schema.parse(V6)).toEqualTypeOf<UuidV6>();
    expectTypeOf<z.input<typeof UuidV6Schema>>().toEqualTypeOf<string>();
  });

  it('explains each rejection in one message', () => {
    expect(messageOf(UuidV6Schema, V4)).toEqual([
      `invalid UUIDv6: expected a UUIDv6, got version 4: "${V4}"`,
    ]);
    expect(messageOf(UuidV6Schema, '00000000-0000-0000-0000-000000000000')).toEqual([
      'invalid UUIDv6: expected a UUIDv6, got the nil UUID: "00000000-0000-0000-0000-000000000000"',
    ]);
    expect(messageOf(UuidV6Schema, 'abc')).toEqual([
      'invalid UUIDv6: expected a 36-character UUID (8-4-4-4-12 hex digits), got 3 characters: "abc"',
    ]);
    expect(messageOf(UuidV6Schema, '1ec9414c-232a-6b00-c3c8-9f6bdeced846')).toEqual([
      'invalid UUIDv6: expected the RFC 9562 variant 10, got the Microsoft variant 110 in "1ec9414c-232a-6b00-c3c8-9f6bdeced846"',
    ]);
    expect(messageOf(UuidV6Schema, 42)).toEqual(['expected a UUIDv6 string, got number']);
    expect(messageOf(UuidV6Schema, undefined)).toEqual(['expected a UUIDv6 string, got undefined']);
  });

  it('composes in objects, with the path of the bad field', () => {
    const Body = z.object({ ids: z.array(UuidV6Schema), parent: UuidV6Schema.optional() });
    const result = Body.safeParse({ ids: [V6, V4] });
    expect(result.error?.issues).toMatchObject([
      { path: ['ids', 1], message: expect.stringContaining('got version 4') },
    ]);
    expectTypeOf<z.output<typeof Body>>().toEqualTypeOf<{ ids: UuidV6[]; parent?: UuidV6 | undefined }>();
  });

  it('converts to JSON Schema for OpenAPI documents', () => {
    expect(z.toJSONSchema(UuidV6Schema)).toMatchObject({ type: 'string' });
  });
});

describe('SlugSchema', () => {
  it('parses a 12-character Base62 slug to a branded Slug', () => {
    const s = slug();
    expect(SlugSchema.parse(s)).toBe(s);
    expectTypeOf(SlugSchema.parse(s)).toEqualTypeOf<Slug>();
  });

  it('explains each rejection', () => {
    expect(messageOf(SlugSchema, 'abc')).toEqual([
      'invalid slug: expected a 12-character slug, got 3 characters: "abc"',
    ]);
    expect(messageOf(SlugSchema, 'abcdef-hijkl')).toEqual([
      'invalid slug: expected a Base62 character (0-9, a-z, A-Z) at position 6 of a slug, got "-" in "abcdef-hijkl"',
    ]);
    expect(messageOf(SlugSchema, 12)).toEqual(['expected a slug string, got number']);
    // slugs are case-sensitive: no normalisation
    expect(SlugSchema.parse('ABCDEFabcdef')).toBe('ABCDEFabcdef');
  });
});

describe('kind schemas', () => {
  const Users = defineIdKind('User', { slugLength: 10 });
  it('name the kind in their messages', () => {
    expect(messageOf(Users.idSchema, V4)).toEqual([
      `invalid User id: expected a UUIDv6, got version 4: "${V4}"`,
    ]);
    expect(messageOf(Users.idSchema, null)).toEqual(['expected a User id string, got null']);
    expect(messageOf(Users.slugSchema, slug(12))).toEqual([
      expect.stringMatching(/^invalid User slug: expected a 10-character slug, got 12 characters/),
    ]);
    expect(Users.slugSchema.parse('abcdeABCDE')).toBe('abcdeABCDE');
    expect(Users.idSchema.parse(V6.toUpperCase())).toBe(V6);
  });
});
