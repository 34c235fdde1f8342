import { checkFinite, checkInteger, checkSameLength, warmupNaN } from './validate.ts';
import { defineIndicator } from './define.ts';

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
export const [cci, cciInto] = defineIndicator({
  name: 'cci',
  args: (high: Float64Array, low: Float64Array, close: Float64Array, period: number = 20) =>
    [high, low, close, period] as const,
  check: (a) => checkArgs(...a),
  inputs: ([high, low, close]) => ({ high, low, close }),
  run: (out, a) => run(out, ...a),
});

function checkArgs(high: Float64Array, low: Float64Array, close: Float64Array, period: number): number {
  checkInteger('cci', 'period', period, 2);
  return checkSameLength('cci', { high, low, close });
}

function run(
  out: Float64Array,
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
): Float64Array {
  warmupNaN(out, cciLookback(period));
  // The kernel reports whether a NaN or an infinity went through; only then are the inputs scanned for it.
  if (high.length < period || cciKernel(high, low, close, period, out) !== 0) {
    checkFinite('cci', { high, low, close });
  }
  return out;
}

// Hot loop kept out of the public function so that V8's inlining budget is
// spent here and not on the argument checks (see adx.ts). Returns 0 unless an
// input value is NaN or infinite (`bad` accumulates TP * 0).
function cciKernel(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
  out: Float64Array,
): number {
  const n = high.length;
  const lookback = period - 1;
  const ring = new Float64Array(period);
  let sum = 0;
  let run = 0; // consecutive bars whose TP equals the previous TP
  let prevTp = NaN;
  let bad = 0;
  for (let i = 0; i < lookback; i++) {
    const tp = (high[i] + low[i] + close[i]) / 3;
    bad += tp * 0;
    ring[i] = tp;
    sum += tp;
    run = tp === prevTp ? run + 1 : 0;
    prevTp = tp;
  }
  let pos = lookback;
  const scale = 0.015 / period;
  for (let i = lookback; i < n; i++) {
    const tp = (high[i] + low[i] + close[i]) / 3;
    bad += tp * 0;
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
  return bad;
}
