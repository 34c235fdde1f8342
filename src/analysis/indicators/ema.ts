import { alignedOutput, checkInteger, checkSeries } from './validate.ts';

/** Index of the first defined EMA value (TA-Lib's begIndex). */
export function emaLookback(period: number): number {
  return period - 1;
}

/**
 * Exponential moving average with k = 2 / (period + 1), seeded with the SMA of
 * the first `period` values (TA-Lib's default, "classic" seeding).
 */
export function ema(values: Float64Array, period = 20): Float64Array {
  checkInteger('ema', 'period', period, 2);
  checkSeries('ema', 'values', values);
  const n = values.length;
  const lookback = period - 1;
  const out = alignedOutput(n, lookback);
  if (n <= lookback) return out;

  emaKernel(values, period, out);
  return out;
}

// Hot loop kept out of the public function so that V8's inlining budget is
// spent here and not on the argument checks (see adx.ts).
function emaKernel(values: Float64Array, period: number, out: Float64Array): void {
  const n = values.length;
  const lookback = period - 1;
  const k = 2 / (period + 1);
  const keep = 1 - k;
  let sum = 0;
  for (let i = 0; i < period; i++) sum += values[i];
  let prev = sum / period;
  out[lookback] = prev;
  for (let i = period; i < n; i++) {
    // prev * (1 - k) + x * k equals TA-Lib's (x - prev) * k + prev up to
    // rounding, with a shorter dependency chain (multiply-add instead of
    // subtract-multiply-add) through `prev`.
    prev = prev * keep + values[i] * k;
    out[i] = prev;
  }
}
