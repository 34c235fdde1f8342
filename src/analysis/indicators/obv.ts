import { checkFinite, checkSameLength } from './validate.ts';
import { defineIndicator } from './define.ts';

/** OBV is defined from the first bar. */
export function obvLookback(): number {
  return 0;
}

/**
 * On-balance volume, as TA-Lib: starts at volume[0], then adds the bar's volume
 * when the close rises, subtracts it when the close falls, keeps it when equal.
 * It is cumulative: its level depends on where the series starts.
 */
export const [obv, obvInto] = defineIndicator({
  name: 'obv',
  args: (close: Float64Array, volume: Float64Array) => [close, volume] as const,
  check: (a) => checkArgs(...a),
  inputs: ([close, volume]) => ({ close, volume }),
  run: (out, a) => run(out, ...a),
});

function checkArgs(close: Float64Array, volume: Float64Array): number {
  return checkSameLength('obv', { close, volume });
}

function run(out: Float64Array, close: Float64Array, volume: Float64Array): Float64Array {
  // The kernel reports whether a NaN or an infinity went through; only then are the inputs scanned for it.
  if (close.length > 0 && obvKernel(close, volume, out) !== 0) {
    checkFinite('obv', { close, volume });
  }
  return out;
}

// Hot loop kept out of the public function so that V8's inlining budget is
// spent here and not on the argument checks (see adx.ts). Returns 0 unless an
// input value is NaN or infinite (`bad` accumulates (close + volume) * 0).
function obvKernel(close: Float64Array, volume: Float64Array, out: Float64Array): number {
  const n = close.length;
  let value = volume[0];
  let prev = close[0];
  let bad = (prev + value) * 0;
  out[0] = value;
  for (let i = 1; i < n; i++) {
    const x = close[i];
    const v = volume[i];
    bad += (x + v) * 0;
    // sign(x - prev) as 0/±1 without a branch (ups and downs are unpredictable).
    value += (+(x > prev) - +(x < prev)) * v;
    out[i] = value;
    prev = x;
  }
  return bad;
}
