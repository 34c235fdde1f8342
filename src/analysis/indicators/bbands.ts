import { checkFinite, checkInteger, checkPositive, checkType, warmupNaN } from './validate.ts';
import { defineMultiIndicator } from './define.ts';

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
export const [bbands, bbandsInto] = defineMultiIndicator({
  name: 'bbands',
  args: (close: Float64Array, period: number = 20, stddev: number = 2) => [close, period, stddev] as const,
  outputs: ['upper', 'middle', 'lower'],
  check: (a) => checkArgs(...a),
  inputs: ([close]) => ({ close }),
  run: (out, a) => run(out, ...a),
});

function checkArgs(close: Float64Array, period: number, stddev: number): number {
  checkInteger('bbands', 'period', period, 2);
  checkPositive('bbands', 'stddev', stddev);
  checkType('bbands', 'close', close);
  return close.length;
}

function run(out: BbandsResult, close: Float64Array, period: number, stddev: number): BbandsResult {
  const lookback = bbandsLookback(period);
  warmupNaN(out.upper, lookback);
  warmupNaN(out.middle, lookback);
  warmupNaN(out.lower, lookback);
  // The kernel reports whether a NaN or an infinity went through; only then is the input scanned for it.
  if (close.length <= lookback || bbandsKernel(close, period, stddev, out.upper, out.middle, out.lower) !== 0)
    checkFinite('bbands', { close });
  return out;
}

// Hot loop kept out of the public function so that V8's inlining budget is
// spent here and not on the argument checks (see adx.ts). Returns 0 unless an
// input value is NaN or infinite (`bad` accumulates value * 0).
function bbandsKernel(
  close: Float64Array,
  period: number,
  stddev: number,
  upper: Float64Array,
  middle: Float64Array,
  lower: Float64Array,
): number {
  const n = close.length;
  const lookback = period - 1;
  const threshold = TA_EPSILON * period; // compared with m2 = period * variance
  const constantRun = period - 1;
  let sum = 0;
  let mean = 0;
  let m2 = 0;
  const inv = 1 / period;
  let bad = close[0] * 0;
  let run = 0; // how many consecutive bars equal their predecessor
  for (let i = 1; i < lookback; i++) {
    bad += close[i] * 0;
    run = close[i] === close[i - 1] ? run + 1 : 0;
  }
  for (let i = lookback, sinceExact = period; i < n; i++) {
    const x = close[i];
    bad += x * 0;
    run = x === close[i - 1] ? run + 1 : 0;
    if (sinceExact === period) {
      // Exact two-pass recomputation of the window's mean and squared deviations.
      sum = 0;
      for (let j = i - lookback; j <= i; j++) sum += close[j];
      mean = sum * inv;
      m2 = 0;
      for (let j = i - lookback; j <= i; j++) {
        const d = close[j] - mean;
        m2 += d * d;
      }
      sinceExact = 1;
    } else {
      const old = close[i - period];
      sum += x - old;
      const newMean = sum * inv;
      m2 += (x - old) * (x - newMean + old - mean);
      mean = newMean;
      sinceExact++;
    }
    if (run >= constantRun) m2 = 0; // flat window: exactly zero deviation
    const dev = m2 < threshold ? 0 : stddev * Math.sqrt(m2 * inv);
    middle[i] = mean;
    upper[i] = mean + dev;
    lower[i] = mean - dev;
  }
  return bad;
}
