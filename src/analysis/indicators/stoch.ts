import { checkFinite, checkInteger, checkSameLength, warmupNaN } from './validate.ts';
import { defineMultiIndicator } from './define.ts';

export interface StochResult {
  k: Float64Array;
  d: Float64Array;
}

/** Index of the first defined %K/%D value (TA-Lib's begIndex: both start together). */
export function stochLookback(period: number, smoothK: number, smoothD: number): number {
  return period - 1 + (smoothK - 1) + (smoothD - 1);
}

/**
 * Slow stochastic (TA-Lib STOCH with SMA smoothing):
 *   fastK = 100 * (close - lowest low) / (highest high - lowest low) over `period` bars (0 when the range is 0),
 *   %K = SMA(fastK, smoothK), %D = SMA(%K, smoothD).
 * As in TA-Lib, %K is only reported from where %D starts.
 *
 * Rolling extremes: van Herk / Gil-Werman. The series is cut into blocks of
 * `period` bars; a window [i-period+1, i] is the tail of one block plus the
 * head of the next, so its extreme is max(suffix extreme of the earlier block,
 * prefix extreme of the current one). That is O(1) per bar for any period and
 * any data (TA-Lib's rescan-when-the-extreme-expires degrades to O(period) per
 * bar in a steady trend; monotonic deques measured slower here because their
 * pop loops mispredict). The maxima are exact 0/1 selects, with no
 * data-dependent branches. %K and %D use running sums over small rings.
 */
export const [stoch, stochInto] = defineMultiIndicator({
  name: 'stoch',
  args: (
    high: Float64Array,
    low: Float64Array,
    close: Float64Array,
    period: number = 14,
    smoothK: number = 3,
    smoothD: number = 3,
  ) => [high, low, close, period, smoothK, smoothD] as const,
  outputs: ['k', 'd'],
  check: (a) => checkArgs(...a),
  inputs: ([high, low, close]) => ({ high, low, close }),
  run: (out, a) => run(out, ...a),
});

function checkArgs(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
  smoothK: number,
  smoothD: number,
): number {
  checkInteger('stoch', 'period', period, 1);
  checkInteger('stoch', 'smoothK', smoothK, 1);
  checkInteger('stoch', 'smoothD', smoothD, 1);
  return checkSameLength('stoch', { high, low, close });
}

function run(
  out: StochResult,
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
  smoothK: number,
  smoothD: number,
): StochResult {
  const lookback = stochLookback(period, smoothK, smoothD);
  warmupNaN(out.k, lookback);
  warmupNaN(out.d, lookback);
  // The kernel reports whether a NaN or an infinity went through; only then are the inputs scanned for it.
  if (high.length <= lookback || stochKernel(high, low, close, period, smoothK, smoothD, out.k, out.d) !== 0) {
    checkFinite('stoch', { high, low, close });
  }
  return out;
}

// Hot loop kept out of the public function so that V8's inlining budget is
// spent here and not on the argument checks (see adx.ts). Returns 0 unless an
// input value is NaN or infinite (`bad` accumulates (high + low + close) * 0).
function stochKernel(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
  smoothK: number,
  smoothD: number,
  kOut: Float64Array,
  dOut: Float64Array,
): number {
  const n = high.length;
  const lookback = stochLookback(period, smoothK, smoothD);
  // Suffix extremes of the previous block, indexed by offset within that block.
  const sufHigh = new Float64Array(period);
  const sufLow = new Float64Array(period);
  const fastRing = new Float64Array(smoothK);
  const slowRing = new Float64Array(smoothD);
  let fastSum = 0;
  let slowSum = 0;
  let fastPos = 0;
  let slowPos = 0;
  const firstFast = period - 1;
  const firstSlow = firstFast + smoothK - 1;
  const last = period - 1;
  let bad = 0;

  for (let start = 0; start < n; start += period) {
    if (start > 0) {
      const base = start - period;
      let hi = high[start - 1];
      let lo = low[start - 1];
      sufHigh[last] = hi;
      sufLow[last] = lo;
      for (let j = last - 1; j >= 0; j--) {
        const h = high[base + j];
        const l = low[base + j];
        const gh = +(h > hi);
        const gl = +(l < lo);
        hi = h * gh + hi * (1 - gh);
        lo = l * gl + lo * (1 - gl);
        sufHigh[j] = hi;
        sufLow[j] = lo;
      }
    }
    const end = Math.min(n, start + period);
    let preHigh = high[start];
    let preLow = low[start];
    for (let i = start; i < end; i++) {
      const h = high[i];
      const l = low[i];
      const c = close[i];
      bad += (h + l + c) * 0;
      const gh = +(h > preHigh);
      const gl = +(l < preLow);
      preHigh = h * gh + preHigh * (1 - gh);
      preLow = l * gl + preLow * (1 - gl);
      if (i < firstFast) continue;

      let highest = preHigh;
      let lowest = preLow;
      const offset = i - start;
      if (offset < last) {
        // The window starts at offset+1 of the previous block.
        const sh = sufHigh[offset + 1];
        const sl = sufLow[offset + 1];
        const ch = +(sh > highest);
        const cl = +(sl < lowest);
        highest = sh * ch + highest * (1 - ch);
        lowest = sl * cl + lowest * (1 - cl);
      }
      const range = highest - lowest;
      const fastK = range !== 0 ? (100 * (c - lowest)) / range : 0;

      fastSum += fastK - fastRing[fastPos];
      fastRing[fastPos] = fastK;
      fastPos = fastPos + 1 === smoothK ? 0 : fastPos + 1;
      if (i < firstSlow) continue;

      const slowK = fastSum / smoothK;
      slowSum += slowK - slowRing[slowPos];
      slowRing[slowPos] = slowK;
      slowPos = slowPos + 1 === smoothD ? 0 : slowPos + 1;
      if (i < lookback) continue;

      kOut[i] = slowK;
      dOut[i] = slowSum / smoothD;
    }
  }
  return bad;
}
