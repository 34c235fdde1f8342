import { checkFinite, checkInteger, checkOutputs, checkType, warmupNaN } from './validate.ts';

/** Index of the first defined SMA value (TA-Lib's begIndex). */
export function smaLookback(period: number): number {
  return period - 1;
}

/**
 * Simple moving average: mean of the last `period` values, kept as a running
 * sum updated by (entering - leaving) each bar.
 */
export function sma(values: Float64Array, period = 20): Float64Array {
  checkArgs(values, period);
  return run(new Float64Array(values.length), values, period);
}

/** sma() written into `out` (a Float64Array of the input's length, not sharing memory with it); returns `out`. */
export function smaInto(out: Float64Array, values: Float64Array, period = 20): Float64Array {
  checkArgs(values, period);
  checkOutputs('sma', values.length, { out }, { values });
  return run(out, values, period);
}

function checkArgs(values: Float64Array, period: number): void {
  checkInteger('sma', 'period', period, 2);
  checkType('sma', 'values', values);
}

function run(out: Float64Array, values: Float64Array, period: number): Float64Array {
  warmupNaN(out, period - 1);
  // The kernel reports whether a NaN or an infinity went through; only then is the input scanned for it.
  if (values.length < period || smaKernel(values, period, out) !== 0) checkFinite('sma', 'values', values);
  return out;
}

// Hot loop kept out of the public function so that V8's inlining budget is
// spent here and not on the argument checks (see adx.ts). Returns 0 unless an
// input value is NaN or infinite (`bad` accumulates value * 0).
function smaKernel(values: Float64Array, period: number, out: Float64Array): number {
  const n = values.length;
  const lookback = period - 1;
  const inv = 1 / period;
  let sum = 0;
  let bad = 0;
  for (let i = 0; i < period; i++) sum += values[i];
  bad += sum * 0;
  out[lookback] = sum * inv;
  for (let i = period; i < n; i++) {
    const x = values[i];
    bad += x * 0;
    // Adding the difference keeps a single add on the loop-carried chain.
    sum += x - values[i - period];
    out[i] = sum * inv;
  }
  return bad;
}
