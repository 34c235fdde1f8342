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

/**
 * latestClose for many assets in two statements: each asset's finest series with its last time
 * (candle_series), then those candles by key between the smallest and largest of those times as
 * constants, so the planner reads only the chunks holding them. An asset whose recorded last time
 * has no candle (deleted since) falls back to latestClose.
 */
export async function latestCloses(q: Queryable, assetIds: readonly string[]): Promise<Map<string, Close>> {
  const out = new Map<string, Close>();
  if (assetIds.length === 0) return out;
  const s = await q.query<{ asset_id: string; interval: Interval; last_ts: Date }>(
    `SELECT DISTINCT ON (asset_id) asset_id, "interval"::text AS "interval", last_ts FROM candle_series
     WHERE asset_id = ANY ($1::uuid[]) AND candles > 0
     ORDER BY asset_id, array_position($2::text[], "interval"::text)`,
    [assetIds, [...INTERVALS]],
  );
  if (s.rows.length) {
    const times = s.rows.map((x) => x.last_ts.getTime());
    const r = await q.query<{ asset_id: string; close: number; ts: Date }>(
      `SELECT c.asset_id, c.close, c.ts
       FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS k(asset_id, iv, ts)
       JOIN candles c ON c.asset_id = k.asset_id AND c."interval" = k.iv::candle_interval AND c.ts = k.ts
       WHERE c.ts >= $4 AND c.ts <= $5`,
      [
        s.rows.map((x) => x.asset_id),
        s.rows.map((x) => x.interval),
        s.rows.map((x) => x.last_ts.toISOString()),
        new Date(Math.min(...times)),
        new Date(Math.max(...times)),
      ],
    );
    const interval = new Map(s.rows.map((x) => [x.asset_id, x.interval]));
    for (const c of r.rows)
      out.set(c.asset_id, { close: c.close, ts: c.ts, interval: interval.get(c.asset_id) as Interval });
  }
  for (const id of assetIds) {
    if (out.has(id)) continue;
    const c = await latestClose(q, id);
    if (c) out.set(id, c);
  }
  return out;
}
