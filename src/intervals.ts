/**
 * Candle intervals: the enum values, their lengths, and UTC alignment. Minutes to days are fixed
 * lengths aligned to the Unix epoch; weeks start on Monday 00:00 UTC (as TimescaleDB's time_bucket
 * does); months start on the 1st at 00:00 UTC.
 */
import { UserError } from './errors.ts';

export const INTERVALS = ['1m', '5m', '15m', '30m', '1h', '4h', '1d', '1w', '1M'] as const;
export type Interval = (typeof INTERVALS)[number];

const MINUTE = 60_000;
const FIXED_MS: Record<Exclude<Interval, '1M'>, number> = {
  '1m': MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': 60 * MINUTE,
  '4h': 240 * MINUTE,
  '1d': 1440 * MINUTE,
  '1w': 7 * 1440 * MINUTE,
};

/** PostgreSQL interval literals, for time_bucket() and continuous aggregates. */
export const PG_INTERVAL: Record<Interval, string> = {
  '1m': '1 minute',
  '5m': '5 minutes',
  '15m': '15 minutes',
  '30m': '30 minutes',
  '1h': '1 hour',
  '4h': '4 hours',
  '1d': '1 day',
  '1w': '7 days',
  '1M': '1 month',
};

/** Names safe in SQL identifiers (1m and 1M differ only by case, which identifiers fold). */
export const INTERVAL_SLUG: Record<Interval, string> = {
  '1m': '1min',
  '5m': '5min',
  '15m': '15min',
  '30m': '30min',
  '1h': '1h',
  '4h': '4h',
  '1d': '1d',
  '1w': '1w',
  '1M': '1mon',
};

export function isInterval(v: unknown): v is Interval {
  return typeof v === 'string' && (INTERVALS as readonly string[]).includes(v);
}

export function parseInterval(v: string, what = 'interval'): Interval {
  if (!isInterval(v)) throw new UserError(`${what} "${v}" is not one of ${INTERVALS.join(', ')}`);
  return v;
}

// 1970-01-05 was a Monday: weeks are counted from there.
const MONDAY_EPOCH = 4 * 1440 * MINUTE;

/** The start of the bucket that holds the instant (epoch ms). */
export function bucketStart(interval: Interval, ms: number): number {
  if (interval === '1M') {
    const d = new Date(ms);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  }
  const len = FIXED_MS[interval];
  const origin = interval === '1w' ? MONDAY_EPOCH : 0;
  return Math.floor((ms - origin) / len) * len + origin;
}

export function isAligned(interval: Interval, ms: number): boolean {
  return bucketStart(interval, ms) === ms;
}

/** The start of the next bucket after the one starting at `ms`. */
export function nextBucket(interval: Interval, ms: number): number {
  if (interval === '1M') {
    const d = new Date(ms);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  }
  return ms + FIXED_MS[interval];
}

/** Nominal length in ms (a month counts 30 days): for expiry, warm-up estimates and ETA, not alignment. */
export function intervalMs(interval: Interval): number {
  return interval === '1M' ? 30 * 1440 * MINUTE : FIXED_MS[interval];
}

/** Whether `coarse` buckets are unions of whole `fine` buckets (for rollups). */
export function divides(fine: Interval, coarse: Interval): boolean {
  if (fine === coarse) return false;
  if (coarse === '1M') return fine !== '1w';
  if (fine === '1M') return false;
  return FIXED_MS[coarse] % FIXED_MS[fine] === 0 && FIXED_MS[coarse] > FIXED_MS[fine];
}
