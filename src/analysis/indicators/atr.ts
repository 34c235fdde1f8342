import { trueRange } from './true-range.ts';
import { alignedOutput, checkInteger, checkSameLength, checkSeries } from './validate.ts';

/** Index of the first defined ATR value (TA-Lib's begIndex). */
export function atrLookback(period: number): number {
  return period;
}

/**
 * Average true range, Wilder-smoothed: TR starts at bar 1 (it needs the
 * previous close); the first ATR (bar `period`) is the mean of TR[1..period],
 * then ATR = (ATR * (period - 1) + TR) / period. Period 1 gives TR itself.
 */
export function atr(high: Float64Array, low: Float64Array, close: Float64Array, period = 14): Float64Array {
  checkInteger('atr', 'period', period, 1);
  checkSeries('atr', 'high', high);
  checkSeries('atr', 'low', low);
  checkSeries('atr', 'close', close);
  const n = checkSameLength('atr', { high, low, close });
  const out = alignedOutput(n, period);
  if (n <= period) return out;

  atrKernel(high, low, close, period, out);
  return out;
}

// Hot loop kept out of the public function so that V8's inlining budget is
// spent here and not on the argument checks (see adx.ts).
function atrKernel(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
  out: Float64Array,
): void {
  const n = high.length;
  let sum = 0;
  let prevClose = close[0];
  for (let i = 1; i <= period; i++) {
    sum += trueRange(high[i], low[i], prevClose);
    prevClose = close[i];
  }
  let value = sum / period;
  out[period] = value;
  // (ATR * (period - 1) + TR) / period written as ATR * decay + TR * inv:
  // equal up to rounding, and keeps the division off the loop-carried chain.
  const decay = (period - 1) / period;
  const inv = 1 / period;
  for (let i = period + 1; i < n; i++) {
    const tr = trueRange(high[i], low[i], prevClose);
    prevClose = close[i];
    value = value * decay + tr * inv;
    out[i] = value;
  }
}
