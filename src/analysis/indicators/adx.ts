import { trueRange } from './true-range.ts';
import { checkFinite, checkInteger, checkSameLength, warmupNaN } from './validate.ts';
import { defineMultiIndicator } from './define.ts';

export interface AdxResult {
  adx: Float64Array;
  plusDI: Float64Array;
  minusDI: Float64Array;
}

/** TA-Lib treats |x| < 1e-14 as zero (TA_IS_ZERO); we keep its threshold. */
const TA_EPSILON = 1e-14;

/** Index of the first defined ADX value (TA-Lib ADX begIndex). */
export function adxLookback(period: number): number {
  return 2 * period - 1;
}

/** Index of the first defined +DI / -DI value (TA-Lib PLUS_DI / MINUS_DI begIndex). */
export function diLookback(period: number): number {
  return period;
}

/**
 * Wilder's ADX with +DI and -DI, in one pass, following TA-Lib:
 *  - +DM = up move if it is positive and larger than the down move, else 0 (and symmetrically -DM);
 *  - +DM, -DM and TR are summed over bars 1..period-1, then Wilder-smoothed
 *    (s = s - s/period + x) from bar `period`, where +DI/-DI start (100 * DM / TR, 0 when TR is 0);
 *  - DX = 100 * |+DI - -DI| / (+DI + -DI); the first ADX (bar 2*period-1) is the
 *    mean of DX over bars period..2*period-1, then ADX = (ADX * (period-1) + DX) / period.
 *    Bars whose TR or DI sum is 0 leave the ADX unchanged (TA-Lib's convention).
 * The smoothing steps are written as multiply-adds (equal up to rounding) and
 * the directional-movement split is branch-free.
 */
export const [adx, adxInto] = defineMultiIndicator({
  name: 'adx',
  args: (high: Float64Array, low: Float64Array, close: Float64Array, period: number = 14) =>
    [high, low, close, period] as const,
  outputs: ['adx', 'plusDI', 'minusDI'],
  check: (a) => checkArgs(...a),
  inputs: ([high, low, close]) => ({ high, low, close }),
  run: (out, a) => run(out, ...a),
});

function checkArgs(high: Float64Array, low: Float64Array, close: Float64Array, period: number): number {
  checkInteger('adx', 'period', period, 2);
  return checkSameLength('adx', { high, low, close });
}

function run(out: AdxResult, high: Float64Array, low: Float64Array, close: Float64Array, period: number): AdxResult {
  warmupNaN(out.adx, adxLookback(period));
  warmupNaN(out.plusDI, period);
  warmupNaN(out.minusDI, period);
  // The kernel reports whether a NaN or an infinity went through; only then are the inputs scanned for it.
  if (high.length <= period || adxKernel(high, low, close, period, out.adx, out.plusDI, out.minusDI) !== 0) {
    checkFinite('adx', { high, low, close });
  }
  return out;
}

// Hot loop kept out of the public function so that V8's inlining budget is
// spent here (on small helpers) and not on the argument checks.
function adxKernel(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
  adxOut: Float64Array,
  plusOut: Float64Array,
  minusOut: Float64Array,
): number {
  const n = high.length;
  const lookback = adxLookback(period);
  let prevHigh = high[0];
  let prevLow = low[0];
  let prevClose = close[0];
  let bad = (prevHigh + prevLow + prevClose) * 0;
  let plusDM = 0;
  let minusDM = 0;
  let tr = 0;
  for (let i = 1; i < period; i++) {
    const h = high[i];
    const l = low[i];
    const up = h - prevHigh;
    const down = prevLow - l;
    // +DM when the up move is positive and beats the down move; -DM symmetrically (0/1 selects).
    plusDM += up * (+(up > down) & +(up > 0));
    minusDM += down * (+(down > up) & +(down > 0));
    tr += trueRange(h, l, prevClose);
    prevHigh = h;
    prevLow = l;
    prevClose = close[i];
    bad += (h + l + prevClose) * 0;
  }
  const decay = (period - 1) / period;
  const inv = 1 / period;
  // Bars period..lookback: DI from the smoothed sums, DX summed for the first ADX.
  let sumDX = 0;
  for (let i = period; i <= lookback && i < n; i++) {
    const h = high[i];
    const l = low[i];
    const up = h - prevHigh;
    const down = prevLow - l;
    plusDM = plusDM * decay + up * (+(up > down) & +(up > 0));
    minusDM = minusDM * decay + down * (+(down > up) & +(down > 0));
    tr = tr * decay + trueRange(h, l, prevClose);
    prevHigh = h;
    prevLow = l;
    prevClose = close[i];
    bad += (h + l + prevClose) * 0;
    if (tr >= TA_EPSILON || tr <= -TA_EPSILON) {
      const scale = 100 / tr;
      const plusDI = plusDM * scale;
      const minusDI = minusDM * scale;
      plusOut[i] = plusDI;
      minusOut[i] = minusDI;
      const sum = minusDI + plusDI;
      if (sum >= TA_EPSILON || sum <= -TA_EPSILON) sumDX += (100 * Math.abs(minusDI - plusDI)) / sum;
    } else {
      plusOut[i] = 0;
      minusOut[i] = 0;
    }
  }
  if (n <= lookback) return bad;
  let value = sumDX / period;
  adxOut[lookback] = value;
  // From here the ADX is Wilder-smoothed; a bar without DX (zero TR or zero DI sum) keeps it.
  for (let i = lookback + 1; i < n; i++) {
    const h = high[i];
    const l = low[i];
    const up = h - prevHigh;
    const down = prevLow - l;
    plusDM = plusDM * decay + up * (+(up > down) & +(up > 0));
    minusDM = minusDM * decay + down * (+(down > up) & +(down > 0));
    tr = tr * decay + trueRange(h, l, prevClose);
    prevHigh = h;
    prevLow = l;
    prevClose = close[i];
    bad += (h + l + prevClose) * 0;
    if (tr >= TA_EPSILON || tr <= -TA_EPSILON) {
      const scale = 100 / tr;
      const plusDI = plusDM * scale;
      const minusDI = minusDM * scale;
      plusOut[i] = plusDI;
      minusOut[i] = minusDI;
      const sum = minusDI + plusDI;
      if (sum >= TA_EPSILON || sum <= -TA_EPSILON)
        value = value * decay + (100 * inv * Math.abs(minusDI - plusDI)) / sum;
    } else {
      plusOut[i] = 0;
      minusOut[i] = 0;
    }
    adxOut[i] = value;
  }
  return bad;
}
