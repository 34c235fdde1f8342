// Reading another interval's values on the base bars: each base bar sees the other interval's last bar
// that had closed when the base bar closed, so a rule never reads a bar that was still forming (no look-ahead).
import { type Interval, nextBucket } from '../../intervals.ts';

export function alignClosed(
  baseTs: Float64Array,
  baseInterval: Interval,
  otherTs: Float64Array,
  otherInterval: Interval,
  values: Float64Array,
): Float64Array {
  const out = new Float64Array(baseTs.length).fill(Number.NaN);
  let j = -1; // last other bar closed so far
  for (let i = 0; i < baseTs.length; i++) {
    const baseClose = nextBucket(baseInterval, baseTs[i]);
    while (j + 1 < otherTs.length && nextBucket(otherInterval, otherTs[j + 1]) <= baseClose) j++;
    if (j >= 0) out[i] = values[j];
  }
  return out;
}
