/**
 * An indicator computed on the fly over a range of candles (any interval, any parameters), for charts:
 * nothing is stored. Bars before the range are read first so recursive indicators match a longer history.
 */
import type { Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import { candleRange } from '../market/candles-repository.ts';
import { type Interval, intervalMs } from '../intervals.ts';
import { getIndicator, type IndicatorType } from './indicators/registry.ts';

/** Bars read before the range at most (OBV's warm-up is unbounded; its level is arbitrary anyway). */
const MAX_WARMUP = 2000;
/** Bars in the range at most. */
export const MAX_SERIES_BARS = 20_000;

export interface IndicatorSeries {
  name: string;
  outputs: readonly string[];
  /** Bar times in epoch seconds, oldest first. */
  ts: number[];
  /** One array per output, aligned to ts; null before the indicator is defined. */
  values: (number | null)[][];
}

export async function indicatorSeries(
  q: Queryable,
  p: { assetId: string; interval: Interval; type: IndicatorType; params: unknown; from: Date; to: Date },
): Promise<IndicatorSeries> {
  const ind = getIndicator(p.type);
  let params: ReturnType<typeof ind.parseParams>;
  try {
    params = ind.parseParams(p.params);
  } catch (err) {
    throw new UserError(`params: ${(err as Error).message}`);
  }
  const warm = Math.min(MAX_WARMUP, ind.warmup(params) + 1);
  // Months are up to 31 days; a wider read only costs a few bars.
  const barMs = p.interval === '1M' ? 31 * 86_400_000 : intervalMs(p.interval);
  const start = new Date(p.from.getTime() - warm * barMs);
  const { candles } = await candleRange(q, {
    assetId: p.assetId,
    interval: p.interval,
    from: start,
    to: p.to,
    limit: MAX_SERIES_BARS + warm,
  });
  const col = (k: 'open' | 'high' | 'low' | 'close' | 'volume') => Float64Array.from(candles, (c) => Number(c[k]));
  const out = ind.compute(
    { open: col('open'), high: col('high'), low: col('low'), close: col('close'), volume: col('volume') },
    params,
  );
  const first = candles.findIndex((c) => c.ts >= p.from);
  const begin = first < 0 ? candles.length : first;
  const ts = candles.slice(begin).map((c) => Math.floor(c.ts.getTime() / 1000));
  const values = out.map((arr) => Array.from(arr.subarray(begin), (v) => (Number.isFinite(v) ? v : null)));
  return { name: ind.name(params), outputs: ind.outputs, ts, values };
}
