import { checkFinite, checkInteger, checkType, warmupNaN } from './validate.ts';
import { defineIndicator } from './define.ts';

/** Index of the first defined EMA value (TA-Lib's begIndex). */
export function emaLookback(period: number): number {
  return period - 1;
}

/**
 * Exponential moving average with k = 2 / (period + 1), seeded with the SMA of
 * the first `period` values (TA-Lib's default, "classic" seeding).
 */
export const [ema, emaInto] = defineIndicator({
  name: 'ema',
  args: (values: Float64Array, period: number = 20) => [values, period] as const,
  check: (a) => checkArgs(...a),
  inputs: ([values]) => ({ values }),
  run: (out, a) => run(out, ...a),
});

function checkArgs(values: Float64Array, period: number): number {
  checkInteger('ema', 'period', period, 2);
  checkType('ema', 'values', values);
  return values.length;
}

function run(out: Float64Array, values: Float64Array, period: number): Float64Array {
  warmupNaN(out, period - 1);
  // The kernel reports whether a NaN or an infinity went through; only then is the input scanned for it.
  if (values.length < period || emaKernel(values, period, out) !== 0) checkFinite('ema', { values });
  return out;
}

// Hot loop kept out of the public function so that V8's inlining budget is
// spent here and not on the argument checks (see adx.ts). Returns 0 unless an
// input value is NaN or infinite.
function emaKernel(values: Float64Array, period: number, out: Float64Array): number {
  const n = values.length;
  const lookback = period - 1;
  const k = 2 / (period + 1);
  const keep = 1 - k;
  let sum = 0;
  for (let i = 0; i < period; i++) sum += values[i];
  let prev = sum / period;
  out[lookback] = prev;
  for (let i = period; i < n; i++) {
    // prev * (1 - k) + x * k equals TA-Lib's (x - prev) * k + prev up to
    // rounding, with a shorter dependency chain (multiply-add instead of
    // subtract-multiply-add) through `prev`. A NaN or an infinity anywhere
    // sticks in `prev` (Infinity * keep - Infinity * k is NaN), so it is the check.
    prev = prev * keep + values[i] * k;
    out[i] = prev;
  }
  return prev * 0;
}
