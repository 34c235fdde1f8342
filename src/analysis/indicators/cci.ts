import { alignedOutput, checkInteger, checkSameLength, checkSeries } from './validate.ts';

/** Index of the first defined CCI value (TA-Lib's begIndex). */
export function cciLookback(period: number): number {
  return period - 1;
}

/**
 * Commodity Channel Index: TP = (high + low + close) / 3,
 * CCI = (TP - SMA(TP)) / (0.015 * mean |TP - SMA(TP)|) over `period` bars;
 * 0 when either the numerator or the mean deviation is 0 (TA-Lib).
 *
 * The mean deviation needs the whole window each bar (O(period), as TA-Lib);
 * the mean is a running sum, re-summed from the window every `period` bars so
 * rounding cannot accumulate. A window of identical TPs gives 0 exactly (TA-Lib can return
 * ±66.67 there from rounding in its mean; see docs/indicators.md).
 */
export function cci(high: Float64Array, low: Float64Array, close: Float64Array, period = 20): Float64Array {
  checkInteger('cci', 'period', period, 2);
  checkSeries('cci', 'high', high);
  checkSeries('cci', 'low', low);
  checkSeries('cci', 'close', close);
  const n = checkSameLength('cci', { high, low, close });
  const lookback = period - 1;
  const out = alignedOutput(n, lookback);
  if (n <= lookback) return out;

  cciKernel(high, low, close, period, out);
  return out;
}

// Hot loop kept out of the public function so that V8's inlining budget is
// spent here and not on the argument checks (see adx.ts).
function cciKernel(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
  out: Float64Array,
): void {
  const n = high.length;
  const lookback = period - 1;
  const ring = new Float64Array(period);
  let sum = 0;
  let run = 0; // consecutive bars whose TP equals the previous TP
  let prevTp = NaN;
  for (let i = 0; i < lookback; i++) {
    const tp = (high[i] + low[i] + close[i]) / 3;
    ring[i] = tp;
    sum += tp;
    run = tp === prevTp ? run + 1 : 0;
    prevTp = tp;
  }
  let pos = lookback;
  const scale = 0.015 / period;
  for (let i = lookback; i < n; i++) {
    const tp = (high[i] + low[i] + close[i]) / 3;
    run = tp === prevTp ? run + 1 : 0;
    prevTp = tp;
    sum += tp - ring[pos];
    ring[pos] = tp;
    pos++;
    if (pos === period) {
      pos = 0;
      // Re-sum the window from scratch once per cycle.
      sum = 0;
      for (let j = 0; j < period; j++) sum += ring[j];
    }
    if (run >= lookback) {
      out[i] = 0;
      continue;
    }
    const mean = sum / period;
    // Four independent accumulators: the adds no longer wait on each other.
    let d0 = 0;
    let d1 = 0;
    let d2 = 0;
    let d3 = 0;
    let j = 0;
    for (; j + 3 < period; j += 4) {
      d0 += Math.abs(ring[j] - mean);
      d1 += Math.abs(ring[j + 1] - mean);
      d2 += Math.abs(ring[j + 2] - mean);
      d3 += Math.abs(ring[j + 3] - mean);
    }
    for (; j < period; j++) d0 += Math.abs(ring[j] - mean);
    const dev = d0 + d1 + d2 + d3;
    const num = tp - mean;
    out[i] = num !== 0 && dev !== 0 ? num / (scale * dev) : 0;
  }
}
