/** zod building blocks shared by the routes. */
import { z } from 'zod';
import { PASSWORD_MAX, PASSWORD_MIN } from '../accounts/passwords.ts';
import { EMAIL_RE, USERNAME_RE } from '../accounts/users.ts';
import { parseTimestamp } from '../market/import/timestamps.ts';

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

/** Account fields as registration and user administration accept them. */
export const usernameField = z
  .string()
  .regex(USERNAME_RE, '3-64 characters: letters, digits, "_", "." or "-", starting with a letter or digit');
export const passwordField = z.string().min(PASSWORD_MIN).max(PASSWORD_MAX);
export const emailField = text(320).pipe(z.string().regex(EMAIL_RE, 'not a valid email address'));

/** A time in a query string, read like the CLI and the importer read them: ISO-8601, YYYY-MM-DD, epoch s/ms. */
export const timeParam = z
  .string()
  .min(1)
  .transform((v, ctx) => {
    const ms = parseTimestamp(v);
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: 'must be ISO-8601, YYYY-MM-DD or epoch seconds/ms' });
      return z.NEVER;
    }
    return new Date(ms);
  });

/**
 * An integer from a query string, params or a JSON body: a JSON number or decimal digits. Not
 * z.coerce.number(): Number() would read "0x10", "0o7" and "0b1" as numbers too.
 */
export const intParam = (min: number, max: number) =>
  z
    .union([
      z.number(),
      z
        .string()
        .regex(/^[+-]?\d+$/, 'must be a decimal integer')
        .transform(Number),
    ])
    .pipe(z.number().int().min(min).max(max));
