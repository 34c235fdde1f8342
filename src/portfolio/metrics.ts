/**
 * Return measures over a daily value series (docs/portfolio.md, "Performance"). Pure. Flows are money
 * put in (+) or taken out (−) on a day, counted at the day's end: a day's return is
 * (value − flow) / previous value − 1.
 */

export interface Day {
  value: number;
  flow: number;
}

/** Growth of 1 unit per day (first day 1): the chained daily returns. Days after a zero value add nothing. */
export function twrIndex(days: readonly Day[], start: number): number[] {
  let index = 1;
  let prev = start;
  return days.map((d) => {
    if (prev > 0) index *= (d.value - d.flow) / prev;
    prev = d.value;
    return index;
  });
}

/** The largest fall from a running peak, as a fraction (0.25 = 25 %); 0 for a series that never falls. */
export function maxDrawdown(index: readonly (number | null)[]): number {
  let peak = Number.NEGATIVE_INFINITY;
  let worst = 0;
  for (const v of index) {
    if (v === null) continue;
    peak = Math.max(peak, v);
    if (peak > 0) worst = Math.max(worst, 1 - v / peak);
  }
  return worst;
}

/**
 * The money-weighted return: the annual rate r at which the cash flows' present value is zero,
 * Σ amount × (1 + r)^(−years), found by bisection on [−99.99 %, 10,000 %]. Null when the flows do not
 * change sign or no rate in the range solves it.
 */
export function irr(flows: readonly { years: number; amount: number }[]): number | null {
  const npv = (r: number) => flows.reduce((s, f) => s + f.amount / (1 + r) ** f.years, 0);
  let lo = -0.9999;
  let hi = 100;
  let flo = npv(lo);
  const fhi = npv(hi);
  if (!Number.isFinite(flo) || !Number.isFinite(fhi) || flo * fhi > 0) return null;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    const fm = npv(mid);
    if (fm === 0) return mid;
    if (fm * flo < 0) hi = mid;
    else {
      lo = mid;
      flo = fm;
    }
  }
  return (lo + hi) / 2;
}
