/** The user_preferences table: how the web app shows times and which theme it uses. */
import type { Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';

export const CLOCKS = ['24h', '12h'] as const;
export const THEMES = ['auto', 'light', 'dark'] as const;

export type Preferences = {
  timezone: string;
  clock: (typeof CLOCKS)[number];
  theme: (typeof THEMES)[number];
};

export const DEFAULT_PREFERENCES: Preferences = { timezone: 'UTC', clock: '24h', theme: 'auto' };

/** An IANA time zone name the runtime knows (what the browser will format with). */
export function checkTimezone(tz: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    throw new UserError(`timezone: "${tz}" is not a time zone name (e.g. UTC, Europe/Berlin, America/New_York)`);
  }
  return tz;
}

export async function getPreferences(q: Queryable, userId: string): Promise<Preferences> {
  const r = await q.query<Preferences>('SELECT timezone, clock, theme FROM user_preferences WHERE user_id = $1', [
    userId,
  ]);
  return r.rows[0] ?? { ...DEFAULT_PREFERENCES };
}

/** Changes the given fields; the others keep their value (or default). */
export async function setPreferences(q: Queryable, userId: string, change: Partial<Preferences>): Promise<Preferences> {
  if (change.timezone !== undefined) checkTimezone(change.timezone);
  const next = { ...(await getPreferences(q, userId)), ...change };
  const r = await q.query<Preferences>(
    `INSERT INTO user_preferences (user_id, timezone, clock, theme) VALUES ($1, $2, $3, $4)
     ON CONFLICT (user_id) DO UPDATE SET timezone = EXCLUDED.timezone, clock = EXCLUDED.clock, theme = EXCLUDED.theme,
                                         updated_at = now()
     RETURNING timezone, clock, theme`,
    [userId, next.timezone, next.clock, next.theme],
  );
  return r.rows[0];
}
