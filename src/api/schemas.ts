/** zod building blocks shared by the account routes. */
import { z } from 'zod';

/** Free text stored as given. PostgreSQL text cannot hold NUL, so it is a 400 here, not a 500 there. */
export const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !s.includes('\u0000'), 'must not contain NUL characters');

/** JSON bodies of account routes are small: a tighter limit than the app's default. */
export const SMALL_BODY = 64 * 1024;

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), limit: z.number().int(), offset: z.number().int(), total: z.number().int() });
