/**
 * True range of a bar: max(high - low, |high - prevClose|, |low - prevClose|),
 * as TA-Lib computes it. The maxima are taken branch-free (a select through a
 * 0/1 multiplier, exact for finite values): on market data the winning term
 * is unpredictable and a branch there is mispredicted on a large share of bars.
 */
export function trueRange(high: number, low: number, prevClose: number): number {
  const a = high - low;
  const b = Math.abs(high - prevClose);
  const c = Math.abs(low - prevClose);
  const g = +(b > a);
  const ab = b * g + a * (1 - g);
  const h = +(c > ab);
  return c * h + ab * (1 - h);
}
