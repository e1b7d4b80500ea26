import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import {
  defineIdKind,
  type IdOf,
  InvalidSlugError,
  InvalidUuidError,
  isUuidV6,
  type Slug,
  type SlugOf,
  type UuidV6,
  UuidVersionError,
  uuidV6Date,
  uuidv6,
} from './index.js';

const UserIds = defineIdKind('User');
const ProfileIds = defineIdKind('Profile', { slugLength: 16 });
type UserId = IdOf<typeof UserIds>;
type UserSlug = SlugOf<typeof UserIds>;
type ProfileId = IdOf<typeof ProfileIds>;

const seen: unknown[] = [];
const takesUserId = (id: UserId) => seen.push(id);
const takesUserSlug = (slug: UserSlug) => seen.push(slug);
const takesProfileId = (id: ProfileId) => seen.push(id);
const takesNumber = (value: number) => seen.push(value);
const takesUuidV6 = (id: UuidV6) => seen.push(id);
const takesString = (value: string) => seen.push(value);

describe('defineIdKind', () => {
  it('makes ids that are monotonic v6 shared with uuidv6', () => {
    const a = UserIds.newId();
    const b = ProfileIds.newId();
    const c = uuidv6();
    expect(isUuidV6(a)).toBe(true);
    expect([a, b, c].sort()).toEqual([a, b, c]);
    expect(a < c && String(b) < c).toBe(true);
    expect(UserIds.name).toBe('User');
    expectTypeOf(UserIds.name).toEqualTypeOf<'User'>();
  });

  it('makes slugs of the kind length (12 by default)', () => {
    expect(UserIds.newSlug()).toMatch(/^[0-9A-Za-z]{12}$/);
    expect(ProfileIds.newSlug()).toMatch(/^[0-9A-Za-z]{16}$/);
    expect(ProfileIds.slugLength).toBe(16);
    expect(ProfileIds.isSlug(UserIds.newSlug())).toBe(false);
  });

  it('parses and checks ids and slugs', () => {
    const id = UserIds.newId();
    expect(UserIds.parseId(id.toUpperCase())).toBe(id);
    expect(UserIds.isId(id)).toBe(true);
    expect(UserIds.isId(id.toUpperCase())).toBe(false);
    expect(() => UserIds.parseId(crypto.randomUUID())).toThrow(UuidVersionError);
    expect(() => UserIds.parseId('x')).toThrow(InvalidUuidError);
    const s = UserIds.newSlug();
    expect(UserIds.parseSlug(s)).toBe(s);
    expect(UserIds.isSlug(s)).toBe(true);
    expect(() => UserIds.parseSlug('short')).toThrow(InvalidSlugError);
  });

  it('backfills ids for past instants', () => {
    const joined = new Date('2014-03-01T10:00:00Z');
    expect(uuidV6Date(UserIds.newIdAt(joined)).getTime()).toBe(joined.getTime());
    const [a, b] = UserIds.newIdBatch([joined, joined]);
    expect(a! < b!).toBe(true);
    expectTypeOf(UserIds.newIdBatch([joined])).toEqualTypeOf<UserId[]>();
  });

  it('rejects an unsupported slug length', () => {
    expect(() => defineIdKind('Bad', { slugLength: 0 })).toThrow(InvalidSlugError);
    expect(() => defineIdKind('Bad', { slugLength: 300 })).toThrow(
      'slugLength must be an integer from 1 to 256, got 300',
    );
  });
});

describe('branded types (checked by tsc: the typecheck script includes test files)', () => {
  it('keep kinds, slugs, numbers and plain strings apart', () => {
    const userId = UserIds.newId();
    const userSlug = UserIds.newSlug();
    const profileId = ProfileIds.newId();

    takesUserId(userId);
    takesUserSlug(userSlug);
    takesUuidV6(userId);
    takesString(userId);
    takesString(userSlug);

    // @ts-expect-error a UserId is not a UserSlug
    takesUserSlug(userId);
    // @ts-expect-error a UserSlug is not a UserId
    takesUserId(userSlug);
    // @ts-expect-error a UserId is not a number (the legacy key type)
    takesNumber(userId);
    // @ts-expect-error a number is not a UserId
    takesUserId(42);
    // @ts-expect-error a ProfileId is not a UserId
    takesUserId(profileId);
    // @ts-expect-error a UserId is not a ProfileId
    takesProfileId(userId);
    // @ts-expect-error a plain string must be parsed first
    takesUserId('1ec9414c-232a-6b00-b3c8-9f6bdeced846');
    // @ts-expect-error an unbranded UuidV6 has no kind yet
    takesUserId(uuidv6());

    expectTypeOf<UserId>().not.toMatchTypeOf<UserSlug>();
    expectTypeOf<UserId>().not.toMatchTypeOf<number>();
    expectTypeOf<UserId>().not.toMatchTypeOf<ProfileId>();
    expectTypeOf<UserId>().toMatchTypeOf<UuidV6>();
    expectTypeOf<UserSlug>().toMatchTypeOf<Slug>();
    expectTypeOf<UuidV6>().not.toMatchTypeOf<Slug>();
    expectTypeOf<z.output<typeof UserIds.idSchema>>().toEqualTypeOf<UserId>();
    expectTypeOf<z.output<typeof UserIds.slugSchema>>().toEqualTypeOf<UserSlug>();
    expectTypeOf(UserIds.parseId).returns.toEqualTypeOf<UserId>();
    expect(seen.every((value) => typeof value === 'string' || typeof value === 'number')).toBe(true);
  });

  it('narrow unknown values with the type guards', () => {
    const value: unknown = UserIds.newId();
    if (UserIds.isId(value)) expectTypeOf(value).toEqualTypeOf<UserId>();
    else throw new Error('expected a UserId');
  });
});
