/**
 * An indicator computed on the fly over a range of candles (any interval, any parameters), for charts:
 * nothing is stored. Bars before the range are read first so recursive indicators match a longer history.
 * `chartSeries` computes several over one read of the candles (the chart's first load), each from
 * the same bars as its own `indicatorSeries` would read, so the values are the same to the last digit.
 */
import type { Queryable } from '../db/types.ts';
import { UserError } from '../errors.ts';
import { type Candle, type CandleRange, candleRange } from '../market/candles-repository.ts';
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

export interface SeriesRange {
  assetId: string;
  interval: Interval;
  from: Date;
  to: Date;
}
export interface IndicatorChoice {
  type: IndicatorType;
  params?: unknown;
}

/** An indicator with its parameters checked, and the bars it reads before the range. */
function prepare(choice: IndicatorChoice, interval: Interval, from: Date) {
  const ind = getIndicator(choice.type);
  let params: ReturnType<typeof ind.parseParams>;
  try {
    params = ind.parseParams(choice.params);
  } catch (err) {
    throw new UserError(`params: ${(err as Error).message}`);
  }
  const warm = Math.min(MAX_WARMUP, ind.warmup(params) + 1);
  // Months are up to 31 days; a wider read only costs a few bars.
  const barMs = interval === '1M' ? 31 * 86_400_000 : intervalMs(interval);
  return { ind, params, warm, start: new Date(from.getTime() - warm * barMs) };
}
type Prepared = ReturnType<typeof prepare>;

function compute(p: Prepared, candles: readonly Candle[], from: Date): IndicatorSeries {
  const { ind, params } = p;
  const col = (k: 'open' | 'high' | 'low' | 'close' | 'volume') => Float64Array.from(candles, (c) => Number(c[k]));
  const out = ind.compute(
    { open: col('open'), high: col('high'), low: col('low'), close: col('close'), volume: col('volume') },
    params,
  );
  const first = candles.findIndex((c) => c.ts >= from);
  const begin = first < 0 ? candles.length : first;
  const ts = candles.slice(begin).map((c) => Math.floor(c.ts.getTime() / 1000));
  const values = out.map((arr) => Array.from(arr.subarray(begin), (v) => (Number.isFinite(v) ? v : null)));
  return { name: ind.name(params), outputs: ind.outputs, ts, values };
}

export async function indicatorSeries(q: Queryable, p: SeriesRange & IndicatorChoice): Promise<IndicatorSeries> {
  const prep = prepare(p, p.interval, p.from);
  const { candles } = await candleRange(q, { ...p, from: prep.start, limit: MAX_SERIES_BARS + prep.warm });
  return compute(prep, candles, p.from);
}

/**
 * The candles of a range (at most `limit` from its start, as `candleRange` reads them) and several
 * indicators over it, from one read: the read starts at the longest warm-up, and each indicator takes the
 * bars from its own start, as many as its own read would have returned. An indicator whose parameters are
 * refused is an error in its place; the others are computed.
 */
export async function chartSeries(
  q: Queryable,
  range: SeriesRange & { limit: number },
  choices: IndicatorChoice[],
): Promise<{ page: CandleRange; series: (IndicatorSeries | UserError)[] }> {
  const preps = choices.map((c) => {
    try {
      return prepare(c, range.interval, range.from);
    } catch (err) {
      if (err instanceof UserError) return err;
      throw err;
    }
  });
  const ok = preps.filter((p): p is Prepared => !(p instanceof UserError));
  const start = new Date(Math.min(range.from.getTime(), ...ok.map((p) => p.start.getTime())));
  const readLimit = Math.max(range.limit, MAX_SERIES_BARS + Math.max(0, ...ok.map((p) => p.warm)));
  const read = await candleRange(q, { ...range, from: start, limit: readLimit });
  const series = preps.map((p) => {
    if (p instanceof UserError) return p;
    const first = read.candles.findIndex((c) => c.ts >= p.start);
    const own = first < 0 ? [] : read.candles.slice(first, first + MAX_SERIES_BARS + p.warm);
    return compute(p, own, range.from);
  });
  const first = read.candles.findIndex((c) => c.ts >= range.from);
  const candles = first < 0 ? [] : read.candles.slice(first, first + range.limit);
  // A read cut short by its limit may hold fewer of the range's candles than asked: read them alone.
  const short = read.candles.length === readLimit && candles.length < range.limit;
  const page = short ? await candleRange(q, range) : { ...read, candles };
  return { page, series };
}
