/**
 * Durations typed by people ("30d", "1y", "12h", "2w", "6mon", or PostgreSQL's "30 days") turned into
 * PostgreSQL interval literals, checked here so no user text reaches SQL unchecked.
 */
import { UserError } from '../errors.ts';

const UNITS: Record<string, string> = {
  m: 'minutes',
  min: 'minutes',
  minute: 'minutes',
  minutes: 'minutes',
  h: 'hours',
  hour: 'hours',
  hours: 'hours',
  d: 'days',
  day: 'days',
  days: 'days',
  w: 'weeks',
  week: 'weeks',
  weeks: 'weeks',
  mon: 'months',
  mo: 'months',
  month: 'months',
  months: 'months',
  y: 'years',
  year: 'years',
  years: 'years',
};

/** "30d" → "30 days". Throws a UserError naming the option when the text is not a duration. */
export function parseDuration(text: string, what = 'duration'): string {
  const m = /^\s*(\d+)\s*([a-zA-Z]+)\s*$/.exec(text);
  // "M" alone means months (as in the candle interval 1M); every other unit is case-insensitive.
  const unit = m ? (m[2] === 'M' ? 'months' : UNITS[m[2].toLowerCase()]) : undefined;
  if (!m || !unit || Number(m[1]) <= 0) {
    throw new UserError(`${what} "${text}" is not a duration: use a number and a unit, e.g. 30d, 12h, 2w, 6mon, 1y`);
  }
  return `${Number(m[1])} ${unit}`;
}
