// How long a signal stays actionable, by the timeframe of the bars it came from.

export const INTERVALS = ['1m', '5m', '15m', '30m', '1h', '4h', '1d', '1w', '1M'] as const;
export type Interval = (typeof INTERVALS)[number];

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;

/** Length of one bar. A month counts as 30 days. */
export const INTERVAL_MS: Readonly<Record<Interval, number>> = Object.freeze({
  '1m': MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': 60 * MINUTE,
  '4h': 240 * MINUTE,
  '1d': DAY,
  '1w': 7 * DAY,
  '1M': 30 * DAY,
});

/** A signal expires after this many bars of its interval. */
export const EXPIRY_BARS = 5;

/** Milliseconds after the signal bar at which a signal expires: `bars` (5) bars of `interval`. */
export function expiresAfterMs(interval: Interval, bars = EXPIRY_BARS): number {
  const ms = (INTERVAL_MS as Record<string, number>)[interval];
  if (ms === undefined) throw new RangeError(`expiresAfterMs: unknown interval '${String(interval)}' (valid: ${INTERVALS.join(', ')})`);
  if (!Number.isInteger(bars) || bars < 1) throw new RangeError(`expiresAfterMs: bars must be an integer >= 1, got ${bars}`);
  return ms * bars;
}
