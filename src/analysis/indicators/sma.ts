import { alignedOutput, checkInteger, checkSeries } from './validate.ts';

/** Index of the first defined SMA value (TA-Lib's begIndex). */
export function smaLookback(period: number): number {
  return period - 1;
}

/**
 * Simple moving average: mean of the last `period` values, kept as a running
 * sum updated by (entering - leaving) each bar.
 */
export function sma(values: Float64Array, period = 20): Float64Array {
  checkInteger('sma', 'period', period, 2);
  checkSeries('sma', 'values', values);
  const n = values.length;
  const lookback = period - 1;
  const out = alignedOutput(n, lookback);
  if (n <= lookback) return out;

  smaKernel(values, period, out);
  return out;
}

// Hot loop kept out of the public function so that V8's inlining budget is
// spent here and not on the argument checks (see adx.ts).
function smaKernel(values: Float64Array, period: number, out: Float64Array): void {
  const n = values.length;
  const lookback = period - 1;
  let sum = 0;
  for (let i = 0; i < period; i++) sum += values[i];
  out[lookback] = sum / period;
  for (let i = period; i < n; i++) {
    // Adding the difference keeps a single add on the loop-carried chain.
    sum += values[i] - values[i - period];
    out[i] = sum / period;
  }
}
