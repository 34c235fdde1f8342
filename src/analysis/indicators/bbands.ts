import { alignedOutput, checkInteger, checkPositive, checkSeries } from './validate.ts';

export interface BbandsResult {
  upper: Float64Array;
  middle: Float64Array;
  lower: Float64Array;
}

/** TA-Lib reports a zero deviation when the variance is below 1e-14 (TA_IS_ZERO_OR_NEG). */
const TA_EPSILON = 1e-14;

/** Index of the first defined band value (TA-Lib's begIndex). */
export function bbandsLookback(period: number): number {
  return period - 1;
}

/**
 * Bollinger Bands: middle = SMA(period); upper/lower = middle ± stddev * σ with
 * σ the population standard deviation of the window (TA-Lib with MA type SMA
 * and nbDevUp = nbDevDn = stddev).
 *
 * TA-Lib computes σ² as E[x²] - E[x]², which cancels catastrophically for
 * prices far from zero (a constant 100.37 gives σ ≈ 3e-6 there). We instead
 * slide the sum of squared deviations (Welford's add/remove update) and
 * recompute it exactly (two-pass) once every `period` bars, so rounding cannot
 * accumulate: O(1) amortised per bar. A window whose values are all equal
 * gives σ = 0 exactly.
 */
export function bbands(close: Float64Array, period = 20, stddev = 2): BbandsResult {
  checkInteger('bbands', 'period', period, 2);
  checkPositive('bbands', 'stddev', stddev);
  checkSeries('bbands', 'close', close);
  const n = close.length;
  const lookback = period - 1;
  const upper = alignedOutput(n, lookback);
  const middle = alignedOutput(n, lookback);
  const lower = alignedOutput(n, lookback);
  if (n <= lookback) return { upper, middle, lower };

  bbandsKernel(close, period, stddev, upper, middle, lower);
  return { upper, middle, lower };
}

// Hot loop kept out of the public function so that V8's inlining budget is
// spent here and not on the argument checks (see adx.ts).
function bbandsKernel(
  close: Float64Array,
  period: number,
  stddev: number,
  upper: Float64Array,
  middle: Float64Array,
  lower: Float64Array,
): void {
  const n = close.length;
  const lookback = period - 1;
  const threshold = TA_EPSILON * period; // compared with m2 = period * variance
  const constantRun = period - 1;
  let sum = 0;
  let mean = 0;
  let m2 = 0;
  let run = 0; // how many consecutive bars equal their predecessor
  for (let i = 1; i < lookback; i++) run = close[i] === close[i - 1] ? run + 1 : 0;

  for (let i = lookback, sinceExact = period; i < n; i++) {
    const x = close[i];
    run = x === close[i - 1] ? run + 1 : 0;
    if (sinceExact === period) {
      // Exact two-pass recomputation of the window's mean and squared deviations.
      sum = 0;
      for (let j = i - lookback; j <= i; j++) sum += close[j];
      mean = sum / period;
      m2 = 0;
      for (let j = i - lookback; j <= i; j++) {
        const d = close[j] - mean;
        m2 += d * d;
      }
      sinceExact = 1;
    } else {
      const old = close[i - period];
      sum += x - old;
      const newMean = sum / period;
      m2 += (x - old) * (x - newMean + old - mean);
      mean = newMean;
      sinceExact++;
    }
    if (run >= constantRun) m2 = 0; // flat window: exactly zero deviation
    const dev = m2 < threshold ? 0 : stddev * Math.sqrt(m2 / period);
    middle[i] = mean;
    upper[i] = mean + dev;
    lower[i] = mean - dev;
  }
}
