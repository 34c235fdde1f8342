/**
 * Closing prices for valuations (portfolios): the newest close of an asset, and the close in force at
 * given times (the newest at or before each). Both read the asset's finest stored interval, the most
 * recent price there is; a coarser stored series (a daily rollup) is used when it is the only one.
 */
import type { Queryable } from '../db/types.ts';
import { INTERVALS, type Interval } from '../intervals.ts';
import { seriesOfAsset, type SeriesBounds } from './candle-series.ts';
import { latestCandles } from './queries.ts';

export interface Close {
  close: number;
  ts: Date;
  interval: Interval;
}

/** The finest interval the asset has candles of, with its bounds; null without candles. */
export async function finestSeries(
  q: Queryable,
  assetId: string,
): Promise<({ interval: Interval } & SeriesBounds) | null> {
  const series = await seriesOfAsset(q, assetId);
  const interval = INTERVALS.find((i) => series.has(i));
  return interval ? { interval, ...(series.get(interval) as SeriesBounds) } : null;
}

/** The newest close of the asset's finest stored interval; null without candles. */
export async function latestClose(q: Queryable, assetId: string): Promise<Close | null> {
  const s = await finestSeries(q, assetId);
  if (!s) return null;
  const [c] = await latestCandles(q, { assetId, interval: s.interval, limit: 1 });
  return c ? { close: c.close, ts: c.ts, interval: s.interval } : null;
}

/**
 * For each time, the close of the newest candle at or before it (null before the first candle). One
 * statement: an index probe per distinct time on (asset_id, interval, ts), bounded below by the
 * series' first candle so chunks before it are never planned.
 */
export async function closesAt(q: Queryable, assetId: string, times: readonly Date[]): Promise<(Close | null)[]> {
  const s = await finestSeries(q, assetId);
  if (!s || times.length === 0) return times.map(() => null);
  const distinct = [...new Set(times.map((t) => t.toISOString()))];
  const r = await q.query<{ at: Date; close: number; ts: Date }>(
    `SELECT u.at, c.close, c.ts FROM unnest($3::timestamptz[]) AS u(at)
     CROSS JOIN LATERAL (
       SELECT close, ts FROM candles
       WHERE asset_id = $1 AND "interval" = $2 AND ts <= u.at AND ts >= $4
       ORDER BY ts DESC LIMIT 1) c`,
    [assetId, s.interval, distinct, s.first_ts],
  );
  const found = new Map(r.rows.map((x) => [x.at.getTime(), { close: x.close, ts: x.ts, interval: s.interval }]));
  return times.map((t) => found.get(t.getTime()) ?? null);
}
