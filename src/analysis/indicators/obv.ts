import { checkSameLength, checkSeries } from './validate.ts';

/** OBV is defined from the first bar. */
export function obvLookback(): number {
  return 0;
}

/**
 * On-balance volume, as TA-Lib: starts at volume[0], then adds the bar's volume
 * when the close rises, subtracts it when the close falls, keeps it when equal.
 * It is cumulative: its level depends on where the series starts.
 */
export function obv(close: Float64Array, volume: Float64Array): Float64Array {
  checkSeries('obv', 'close', close);
  checkSeries('obv', 'volume', volume);
  const n = checkSameLength('obv', { close, volume });
  const out = new Float64Array(n);
  if (n === 0) return out;

  obvKernel(close, volume, out);
  return out;
}

// Hot loop kept out of the public function so that V8's inlining budget is
// spent here and not on the argument checks (see adx.ts).
function obvKernel(close: Float64Array, volume: Float64Array, out: Float64Array): void {
  const n = close.length;
  let value = volume[0];
  let prev = close[0];
  out[0] = value;
  for (let i = 1; i < n; i++) {
    const x = close[i];
    // sign(x - prev) as 0/±1 without a branch (ups and downs are unpredictable).
    value += (+(x > prev) - +(x < prev)) * volume[i];
    out[i] = value;
    prev = x;
  }
}
