import { checkFinite, checkInteger, checkType, warmupNaN } from './validate.ts';
import { defineMultiIndicator } from './define.ts';

export interface MacdResult {
  macd: Float64Array;
  signal: Float64Array;
  histogram: Float64Array;
}

/** Index of the first defined MACD value (TA-Lib's begIndex). */
export function macdLookback(slow: number, signal: number): number {
  return slow - 1 + (signal - 1);
}

/**
 * MACD = EMA(fast) - EMA(slow); signal = EMA(signal) of MACD; histogram = MACD - signal.
 * As in TA-Lib, both EMAs start at bar slow-1: the slow one seeded with the SMA
 * of bars [0, slow), the fast one with the SMA of bars [slow-fast, slow). The
 * signal EMA is seeded with the SMA of the first `signal` MACD values, and all
 * three outputs start where the signal does.
 * One pass, no intermediate arrays.
 */
export const [macd, macdInto] = defineMultiIndicator({
  name: 'macd',
  args: (close: Float64Array, fast: number = 12, slow: number = 26, signal: number = 9) =>
    [close, fast, slow, signal] as const,
  outputs: ['macd', 'signal', 'histogram'],
  check: (a) => checkArgs(...a),
  inputs: ([close]) => ({ close }),
  run: (out, a) => run(out, ...a),
});

function checkArgs(close: Float64Array, fast: number, slow: number, signal: number): number {
  checkInteger('macd', 'fast', fast, 2);
  checkInteger('macd', 'slow', slow, 2);
  checkInteger('macd', 'signal', signal, 1);
  if (fast >= slow) throw new RangeError(`macd: fast (${fast}) must be less than slow (${slow})`);
  checkType('macd', 'close', close);
  return close.length;
}

function run(out: MacdResult, close: Float64Array, fast: number, slow: number, signal: number): MacdResult {
  const lookback = macdLookback(slow, signal);
  warmupNaN(out.macd, lookback);
  warmupNaN(out.signal, lookback);
  warmupNaN(out.histogram, lookback);
  // The kernel reports whether a NaN or an infinity went through; only then is the input scanned for it.
  if (close.length <= lookback || macdKernel(close, fast, slow, signal, out.macd, out.signal, out.histogram) !== 0)
    checkFinite('macd', { close });
  return out;
}

// Hot loop kept out of the public function so that V8's inlining budget is
// spent here and not on the argument checks (see adx.ts). Returns 0 unless an
// input value is NaN or infinite: one sticks in the slow EMA, which sees every bar.
function macdKernel(
  close: Float64Array,
  fast: number,
  slow: number,
  signal: number,
  line: Float64Array,
  sig: Float64Array,
  hist: Float64Array,
): number {
  const n = close.length;
  const lookback = macdLookback(slow, signal);
  const kFast = 2 / (fast + 1);
  const kSlow = 2 / (slow + 1);
  const kSig = 2 / (signal + 1);
  // EMA step as prev * (1 - k) + x * k: see ema.ts.
  const keepFast = 1 - kFast;
  const keepSlow = 1 - kSlow;
  const keepSig = 1 - kSig;

  let sumSlow = 0;
  for (let i = 0; i < slow; i++) sumSlow += close[i];
  let sumFast = 0;
  for (let i = slow - fast; i < slow; i++) sumFast += close[i];
  let emaSlow = sumSlow / slow;
  let emaFast = sumFast / fast;
  let m = emaFast - emaSlow;

  // MACD values from bar slow-1 to the lookback seed the signal line.
  let sumSig = m;
  for (let i = slow; i <= lookback; i++) {
    const x = close[i];
    emaFast = emaFast * keepFast + x * kFast;
    emaSlow = emaSlow * keepSlow + x * kSlow;
    m = emaFast - emaSlow;
    sumSig += m;
  }
  let s = sumSig / signal;
  line[lookback] = m;
  sig[lookback] = s;
  hist[lookback] = m - s;

  for (let i = lookback + 1; i < n; i++) {
    const x = close[i];
    emaFast = emaFast * keepFast + x * kFast;
    emaSlow = emaSlow * keepSlow + x * kSlow;
    m = emaFast - emaSlow;
    s = s * keepSig + m * kSig;
    line[i] = m;
    sig[i] = s;
    hist[i] = m - s;
  }
  return emaSlow * 0;
}
