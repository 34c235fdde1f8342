// How long a signal stays actionable, by the timeframe of the bars it came from.
import { INTERVALS, intervalMs, isInterval, type Interval } from '../../intervals.ts';

/** A signal expires after this many bars of its interval. */
export const EXPIRY_BARS = 5;

/** Milliseconds after the signal bar at which a signal expires: `bars` (5) bars of `interval` (a month counts 30 days). */
export function expiresAfterMs(interval: Interval, bars = EXPIRY_BARS): number {
  if (!isInterval(interval))
    throw new RangeError(`expiresAfterMs: unknown interval '${String(interval)}' (valid: ${INTERVALS.join(', ')})`);
  if (!Number.isInteger(bars) || bars < 1)
    throw new RangeError(`expiresAfterMs: bars must be an integer >= 1, got ${bars}`);
  return intervalMs(interval) * bars;
}
