import { trueRange } from './true-range.ts';
import { checkFinite, checkInteger, checkSameLength, warmupNaN } from './validate.ts';
import { defineIndicator } from './define.ts';

/** Index of the first defined ATR value (TA-Lib's begIndex). */
export function atrLookback(period: number): number {
  return period;
}

/**
 * Average true range, Wilder-smoothed: TR starts at bar 1 (it needs the
 * previous close); the first ATR (bar `period`) is the mean of TR[1..period],
 * then ATR = (ATR * (period - 1) + TR) / period. Period 1 gives TR itself.
 */
export const [atr, atrInto] = defineIndicator({
  name: 'atr',
  args: (high: Float64Array, low: Float64Array, close: Float64Array, period: number = 14) =>
    [high, low, close, period] as const,
  check: (a) => checkArgs(...a),
  inputs: ([high, low, close]) => ({ high, low, close }),
  run: (out, a) => run(out, ...a),
});

function checkArgs(high: Float64Array, low: Float64Array, close: Float64Array, period: number): number {
  checkInteger('atr', 'period', period, 1);
  return checkSameLength('atr', { high, low, close });
}

function run(
  out: Float64Array,
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
): Float64Array {
  warmupNaN(out, period);
  // The kernel reports whether a NaN or an infinity went through; only then are the inputs scanned for it.
  if (high.length <= period || atrKernel(high, low, close, period, out) !== 0) {
    checkFinite('atr', { high, low, close });
  }
  return out;
}

// Hot loop kept out of the public function so that V8's inlining budget is
// spent here and not on the argument checks (see adx.ts). Returns 0 unless an
// input value is NaN or infinite (`bad` accumulates (high + low + close) * 0).
function atrKernel(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
  out: Float64Array,
): number {
  const n = high.length;
  let sum = 0;
  let prevClose = close[0];
  let bad = (high[0] + low[0] + prevClose) * 0;
  for (let i = 1; i <= period; i++) {
    const h = high[i];
    const l = low[i];
    sum += trueRange(h, l, prevClose);
    prevClose = close[i];
    bad += (h + l + prevClose) * 0;
  }
  let value = sum / period;
  out[period] = value;
  // (ATR * (period - 1) + TR) / period written as ATR * decay + TR * inv:
  // equal up to rounding, and keeps the division off the loop-carried chain.
  const decay = (period - 1) / period;
  const inv = 1 / period;
  for (let i = period + 1; i < n; i++) {
    const h = high[i];
    const l = low[i];
    const tr = trueRange(h, l, prevClose);
    prevClose = close[i];
    bad += (h + l + prevClose) * 0;
    value = value * decay + tr * inv;
    out[i] = value;
  }
  return bad;
}
