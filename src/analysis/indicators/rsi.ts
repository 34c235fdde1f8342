import { checkFinite, checkInteger, checkType, warmupNaN } from './validate.ts';
import { defineIndicator } from './define.ts';

/** TA-Lib treats |x| < 1e-14 as zero (TA_IS_ZERO); we keep its threshold. */
const TA_EPSILON = 1e-14;

/** Index of the first defined RSI value (TA-Lib's begIndex). */
export function rsiLookback(period: number): number {
  return period;
}

/**
 * Wilder's RSI: average gain and loss seeded with plain means over the first
 * `period` changes, then avg = (avg * (period - 1) + x) / period.
 * RSI = 100 * avgGain / (avgGain + avgLoss); 0 when both are zero (TA-Lib).
 *
 * We carry period-scaled sums (S = period * avg) so each bar costs one
 * multiply-add per side; the ratio is unchanged by the common scale.
 */
export const [rsi, rsiInto] = defineIndicator({
  name: 'rsi',
  args: (close: Float64Array, period: number = 14) => [close, period] as const,
  check: (a) => checkArgs(...a),
  inputs: ([close]) => ({ close }),
  run: (out, a) => run(out, ...a),
});

function checkArgs(close: Float64Array, period: number): number {
  checkInteger('rsi', 'period', period, 2);
  checkType('rsi', 'close', close);
  return close.length;
}

function run(out: Float64Array, close: Float64Array, period: number): Float64Array {
  warmupNaN(out, period);
  // The kernel reports whether a NaN or an infinity went through; only then is the input scanned for it.
  if (close.length <= period || rsiKernel(close, period, out) !== 0) checkFinite('rsi', { close });
  return out;
}

// Hot loop kept out of the public function so that V8's inlining budget is
// spent here and not on the argument checks (see adx.ts). Returns 0 unless an
// input value is NaN or infinite: one sticks in the gain or loss sum (an
// infinite change makes |d| - d or |d| + d NaN).
function rsiKernel(close: Float64Array, period: number, out: Float64Array): number {
  const n = close.length;
  let gain = 0;
  let loss = 0;
  let prev = close[0];
  for (let i = 1; i <= period; i++) {
    const x = close[i];
    const d = x - prev;
    prev = x;
    if (d < 0) loss -= d;
    else gain += d;
  }
  const zero = TA_EPSILON * period;
  let total = gain + loss;
  out[period] = total < zero ? 0 : (100 * gain) / total;

  const decay = (period - 1) / period;
  for (let i = period + 1; i < n; i++) {
    const x = close[i];
    const d = x - prev;
    prev = x;
    // Branch-free split of the change into gain and loss: (|d| ± d) / 2 is
    // exact, and avoids a mispredicted branch on every other bar.
    const a = Math.abs(d);
    gain = gain * decay + (a + d) * 0.5;
    loss = loss * decay + (a - d) * 0.5;
    total = gain + loss;
    out[i] = total < zero ? 0 : (100 * gain) / total;
  }
  return (gain + loss) * 0;
}
