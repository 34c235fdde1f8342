/**
 * The times a candle may carry when it comes from outside (the API, `tm import`): from
 * TM_MIN_CANDLE_TIME (default 1970-01-01) to TM_MAX_CANDLE_AHEAD_SECONDS (default one day) past the
 * present, so a typo such as 0001-01-01 or 9999-12-31 is refused with the row named instead of stored.
 */
export interface CandleTimeLimits {
  /** The earliest accepted time, epoch ms. */
  min: number;
  /** How far past now a candle may start, seconds (clocks and time zones differ a little). */
  aheadSeconds: number;
}

export const DEFAULT_MIN_CANDLE_TIME = '1970-01-01T00:00:00Z';
export const DEFAULT_MAX_CANDLE_AHEAD_SECONDS = 86_400;

export function candleTimeLimits(env: NodeJS.ProcessEnv): CandleTimeLimits {
  const rawMin = env.TM_MIN_CANDLE_TIME || DEFAULT_MIN_CANDLE_TIME;
  // A date alone is midnight UTC (Date.parse reads it so); a date-time without an offset is taken as UTC too.
  const min = Date.parse(
    /[T ]\d{2}:\d{2}/.test(rawMin) && !/(Z|[+-]\d{2}:?\d{2})$/i.test(rawMin) ? `${rawMin}Z` : rawMin,
  );
  if (!Number.isFinite(min))
    throw new Error(`TM_MIN_CANDLE_TIME must be a date or ISO-8601 time such as 1970-01-01, got "${rawMin}"`);
  const rawAhead = env.TM_MAX_CANDLE_AHEAD_SECONDS;
  const aheadSeconds = rawAhead ? Number(rawAhead) : DEFAULT_MAX_CANDLE_AHEAD_SECONDS;
  if (!Number.isInteger(aheadSeconds) || aheadSeconds < 0)
    throw new Error(`TM_MAX_CANDLE_AHEAD_SECONDS must be a whole number of seconds >= 0, got "${rawAhead}"`);
  return { min, aheadSeconds };
}

/** The accepted range [min, max] at `now`, epoch ms. */
export function candleTimeRange(limits: CandleTimeLimits, now = Date.now()): { min: number; max: number } {
  return { min: limits.min, max: now + limits.aheadSeconds * 1000 };
}
