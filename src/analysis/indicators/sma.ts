import { checkFinite, checkInteger, checkType, warmupNaN } from './validate.ts';
import { defineIndicator } from './define.ts';

/** Index of the first defined SMA value (TA-Lib's begIndex). */
export function smaLookback(period: number): number {
  return period - 1;
}

/**
 * Simple moving average: mean of the last `period` values, kept as a running
 * sum updated by (entering - leaving) each bar.
 */
export const [sma, smaInto] = defineIndicator({
  name: 'sma',
  args: (values: Float64Array, period: number = 20) => [values, period] as const,
  check: (a) => checkArgs(...a),
  inputs: ([values]) => ({ values }),
  run: (out, a) => run(out, ...a),
});

function checkArgs(values: Float64Array, period: number): number {
  checkInteger('sma', 'period', period, 2);
  checkType('sma', 'values', values);
  return values.length;
}

function run(out: Float64Array, values: Float64Array, period: number): Float64Array {
  warmupNaN(out, period - 1);
  // The kernel reports whether a NaN or an infinity went through; only then is the input scanned for it.
  if (values.length < period || smaKernel(values, period, out) !== 0) checkFinite('sma', { values });
  return out;
}

// Hot loop kept out of the public function so that V8's inlining budget is
// spent here and not on the argument checks (see adx.ts). Returns 0 unless an
// input value is NaN or infinite: one sticks in the running sum (a NaN stays;
// an infinity stays until it leaves the window, where Infinity - Infinity is NaN).
function smaKernel(values: Float64Array, period: number, out: Float64Array): number {
  const n = values.length;
  const lookback = period - 1;
  const inv = 1 / period;
  let sum = 0;
  for (let i = 0; i < period; i++) sum += values[i];
  out[lookback] = sum * inv;
  // Adding the difference keeps a single add on the loop-carried chain. Eight
  // bars per iteration (the same additions in the same order) cut V8's loop
  // and index overhead, which is most of the cost of a loop this small.
  let i = period;
  for (; i + 7 < n; i += 8) {
    const j = i - period;
    const s1 = sum + (values[i] - values[j]);
    const s2 = s1 + (values[i + 1] - values[j + 1]);
    const s3 = s2 + (values[i + 2] - values[j + 2]);
    const s4 = s3 + (values[i + 3] - values[j + 3]);
    const s5 = s4 + (values[i + 4] - values[j + 4]);
    const s6 = s5 + (values[i + 5] - values[j + 5]);
    const s7 = s6 + (values[i + 6] - values[j + 6]);
    sum = s7 + (values[i + 7] - values[j + 7]);
    out[i] = s1 * inv;
    out[i + 1] = s2 * inv;
    out[i + 2] = s3 * inv;
    out[i + 3] = s4 * inv;
    out[i + 4] = s5 * inv;
    out[i + 5] = s6 * inv;
    out[i + 6] = s7 * inv;
    out[i + 7] = sum * inv;
  }
  for (; i < n; i++) {
    sum += values[i] - values[i - period];
    out[i] = sum * inv;
  }
  return sum * 0;
}
