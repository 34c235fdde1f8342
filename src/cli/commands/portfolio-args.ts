/** Arguments the tm portfolio commands share. */
import { UsageError } from '../../errors.ts';

export const PORTFOLIO_REF = 'NAME, or USER/NAME where two users have a portfolio of that name';

/** An ISO 8601 date or date-time (a date alone is midnight UTC). */
export function parseAt(v: string, what = '--at'): Date {
  const d = /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T00:00:00Z`) : new Date(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(d.getTime())) {
    throw new UsageError(`${what} must be an ISO 8601 date or date-time such as 2024-03-01T15:30:00Z, got "${v}"`);
  }
  return d;
}
