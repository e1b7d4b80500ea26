import { z } from 'zod';

/** What anyone may see of an active user at `/users/{slug}`. */
export const PublicProfileSchema = z
  .object({
    slug: z.string(),
    displayName: z.string(),
    bio: z.string(),
    avatarUrl: z.string().nullable(),
    memberSince: z.string(),
  })
  .meta({ id: 'PublicProfile' });

export type PublicProfile = z.infer<typeof PublicProfileSchema>;

/** The signed-in user's own account. */
export const MeSchema = z
  .object({
    slug: z.string(),
    email: z.string(),
    firstName: z.string(),
    lastName: z.string(),
    emailVerified: z.boolean(),
    dateJoined: z.string(),
    profile: z.object({ displayName: z.string(), bio: z.string(), avatarUrl: z.string().nullable() }),
  })
  .meta({ id: 'Me' });

export type Me = z.infer<typeof MeSchema>;
