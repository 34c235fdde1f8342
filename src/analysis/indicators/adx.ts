import { trueRange } from './true-range.ts';
import { alignedOutput, checkInteger, checkSameLength, checkSeries } from './validate.ts';

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
export function adx(high: Float64Array, low: Float64Array, close: Float64Array, period = 14): AdxResult {
  checkInteger('adx', 'period', period, 2);
  checkSeries('adx', 'high', high);
  checkSeries('adx', 'low', low);
  checkSeries('adx', 'close', close);
  const n = checkSameLength('adx', { high, low, close });
  const lookback = adxLookback(period);
  const adxOut = alignedOutput(n, lookback);
  const plusOut = alignedOutput(n, period);
  const minusOut = alignedOutput(n, period);
  if (n <= period) return { adx: adxOut, plusDI: plusOut, minusDI: minusOut };

  adxKernel(high, low, close, period, adxOut, plusOut, minusOut);
  return { adx: adxOut, plusDI: plusOut, minusDI: minusOut };
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
): void {
  const n = high.length;
  const lookback = adxLookback(period);
  let prevHigh = high[0];
  let prevLow = low[0];
  let prevClose = close[0];
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
  }

  const decay = (period - 1) / period;
  const inv = 1 / period;
  let sumDX = 0;
  let value = 0;
  for (let i = period; i < n; i++) {
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

    let dx = -1; // -1: no DX this bar (zero TR or zero DI sum)
    if (tr >= TA_EPSILON || tr <= -TA_EPSILON) {
      const scale = 100 / tr;
      const plusDI = plusDM * scale;
      const minusDI = minusDM * scale;
      plusOut[i] = plusDI;
      minusOut[i] = minusDI;
      const sum = minusDI + plusDI;
      if (sum >= TA_EPSILON || sum <= -TA_EPSILON) dx = (100 * Math.abs(minusDI - plusDI)) / sum;
    } else {
      plusOut[i] = 0;
      minusOut[i] = 0;
    }

    if (i > lookback) {
      if (dx >= 0) value = value * decay + dx * inv;
      adxOut[i] = value;
    } else {
      if (dx >= 0) sumDX += dx;
      if (i === lookback) {
        value = sumDX / period;
        adxOut[i] = value;
      }
    }
  }
}
