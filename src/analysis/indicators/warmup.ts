// How many bars a recursive (exponentially smoothed) indicator needs before
// the seed it started from no longer matters.
//
// A first-order smoother s[t] = a * s[t-1] + (1 - a) * x[t] started from a
// wrong seed carries the seed error times a^m after m more bars. Two such
// smoothers in cascade (ADX = Wilder average of DX, which is built from
// Wilder-smoothed DM/TR; MACD signal = EMA of a difference of EMAs) carry at
// most (m + 1) * a^m times the initial error, a being the largest of their
// factors (the convolution of a1^j and a2^(m-j) has m + 1 terms, each <= a^m).

/** Relative influence of the seed we accept: far below the 1e-10 target, whatever the seed error. */
export const SEED_DECAY = 1e-12;

/**
 * Smallest m >= 0 such that C(m + order - 1, order - 1) * a^m <= tolerance,
 * for order 1 (a^m) or 2 ((m + 1) * a^m).
 */
export function decayBars(a: number, order: 1 | 2 = 1, tolerance = SEED_DECAY): number {
  if (!(a >= 0 && a < 1)) throw new RangeError(`decayBars: factor must be in [0, 1), got ${a}`);
  if (a === 0) return 0;
  const logA = Math.log(a);
  const logTol = Math.log(tolerance);
  if (order === 1) {
    // Closed form, then nudged so rounding at the boundary cannot be off by one.
    let m = Math.max(0, Math.ceil(logTol / logA));
    while (a ** m > tolerance) m++;
    while (m > 0 && a ** (m - 1) <= tolerance) m--;
    return m;
  }
  // f(m) = ln(m + 1) + m ln a - ln tol decreases once m + 1 > -1 / ln a; bisect past that point.
  const f = (m: number): number => Math.log(m + 1) + m * logA - logTol;
  let lo = Math.max(0, Math.floor(-1 / logA) - 1);
  if (f(lo) <= 0) {
    while (lo > 0 && f(lo - 1) <= 0) lo--; // only for tiny factors: walk back to the smallest m
    return lo;
  }
  let hi = lo + 1;
  while (f(hi) > 0) hi = lo + 2 * (hi - lo);
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (f(mid) > 0) lo = mid;
    else hi = mid;
  }
  // Same boundary nudge as above, on the direct product.
  while ((hi + 1) * a ** hi > tolerance) hi++;
  while (hi > 0 && hi * a ** (hi - 1) <= tolerance) hi--;
  return hi;
}

/** Smoothing factor of an EMA with k = 2 / (period + 1). */
export function emaFactor(period: number): number {
  return (period - 1) / (period + 1);
}

/** Smoothing factor of Wilder's average, 1 - 1 / period. */
export function wilderFactor(period: number): number {
  return (period - 1) / period;
}
