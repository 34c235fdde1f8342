/**
 * The markets overview: every asset with its recent closes of one interval (for a sparkline), last
 * price, change against the previous close and last volume. One probe per asset for its newest bars.
 * An asset without candles of that interval gets them as the chart does (candleRange: an aggregate
 * view, else a rollup of a finer stored interval), so an asset with only 1m candles has a 1h and 1d row.
 */
import type { Queryable } from '../db/types.ts';
import { divides, intervalMs, type Interval } from '../intervals.ts';
import { groupByRecency, seriesOfInterval } from './candle-series.ts';
import { candleRange } from './candles-repository.ts';

export interface MarketRow {
  id: string;
  symbol: string;
  name: string;
  asset_type: string;
  exchange: string | null;
  last_ts: Date | null;
  last_price: number | null;
  /** Percent change of the last close against the one before; null with fewer than two bars or a 0 close. */
  change_pct: number | null;
  volume: number | null;
  /** Oldest first. */
  closes: number[];
}

const ASSETS_SQL = `SELECT a.id, a.symbol, a.name, a.asset_type::text AS asset_type, a.exchange
FROM assets a ORDER BY a.symbol, a.exchange NULLS FIRST`;

// The newest bars of each asset, between constant bounds (see marketOverview).
const BARS_SQL = `SELECT a.id, x.last_ts, x.volume, coalesce(x.closes, '{}') AS closes
FROM unnest($3::uuid[]) AS a(id)
CROSS JOIN LATERAL (
  SELECT max(ts) AS last_ts, (array_agg(volume ORDER BY ts DESC))[1] AS volume, array_agg(close ORDER BY ts) AS closes
  FROM (SELECT ts, close, volume FROM candles WHERE asset_id = a.id AND "interval" = $1 AND ts >= $4
          AND ($5::timestamptz IS NULL OR ts <= $5) ORDER BY ts DESC LIMIT $2) t
) x`;

type Bars = Pick<MarketRow, 'id' | 'last_ts' | 'volume' | 'closes'>;

/**
 * Assets grouped by how recent their newest bar is (candle_series), one statement per group, each
 * bounded below by its oldest newest bar minus room for `points` bars, so the planner reads only the
 * chunks that hold them; the newest group has no upper bound (bars written since still show).
 */
export async function marketOverview(q: Queryable, p: { interval: Interval; points: number }): Promise<MarketRow[]> {
  const assets = await q.query<Pick<MarketRow, 'id' | 'symbol' | 'name' | 'asset_type' | 'exchange'>>(ASSETS_SQL);
  const series = await seriesOfInterval(q, p.interval);
  const room = Math.max(2 * p.points * intervalMs(p.interval), 14 * 86_400_000);
  const bars = new Map<string, Bars>();
  for (const [i, group] of groupByRecency(series, room).entries()) {
    const lower = new Date(group[group.length - 1].last_ts.getTime() - room);
    const r = await q.query<Bars>(BARS_SQL, [
      p.interval,
      p.points,
      group.map((s) => s.asset_id),
      lower,
      i === 0 ? null : group[0].last_ts,
    ]);
    for (const row of r.rows) bars.set(row.id, row);
  }
  const missing = assets.rows.filter((a) => !bars.get(a.id)?.last_ts).map((a) => a.id);
  for (const row of await rolledUp(q, missing, p)) bars.set(row.id, row);
  return assets.rows.map((asset) => {
    const row = bars.get(asset.id);
    const closes = (row?.closes ?? []).map(Number);
    const last = closes.length > 0 ? closes[closes.length - 1] : null;
    const prev = closes.length > 1 ? closes[closes.length - 2] : null;
    const change = last !== null && prev ? ((last - prev) / prev) * 100 : null;
    return {
      ...asset,
      last_ts: row?.last_ts ?? null,
      volume: row?.volume === null || row?.volume === undefined ? null : Number(row.volume),
      closes,
      last_price: last,
      change_pct: change === null ? null : Math.round(change * 100) / 100,
    };
  });
}

/**
 * The newest bars of assets with no stored candles of the interval, from the chart's own read
 * (candleRange), asked for the window ending at their newest finer candle.
 */
async function rolledUp(q: Queryable, assetIds: string[], p: { interval: Interval; points: number }): Promise<Bars[]> {
  if (assetIds.length === 0) return [];
  const finer = await q.query<{ asset_id: string; interval: Interval; last_ts: Date }>(
    `SELECT asset_id, "interval"::text AS "interval", last_ts FROM candle_series WHERE asset_id = ANY($1::uuid[])`,
    [assetIds],
  );
  const newest = new Map<string, Date>();
  for (const s of finer.rows) {
    if (!divides(s.interval, p.interval) || s.interval === p.interval) continue;
    const cur = newest.get(s.asset_id);
    if (!cur || s.last_ts > cur) newest.set(s.asset_id, s.last_ts);
  }
  // Months are up to 31 days; two spare bars cover the bucket holding `from`, which is left out.
  const barMs = p.interval === '1M' ? 31 * 86_400_000 : intervalMs(p.interval);
  const out: Bars[] = [];
  for (const [id, last] of newest) {
    const to = new Date(last.getTime() + 1);
    const from = new Date(to.getTime() - (p.points + 2) * barMs);
    const { candles } = await candleRange(q, { assetId: id, interval: p.interval, from, to, limit: p.points + 2 });
    const recent = candles.slice(-p.points);
    if (recent.length === 0) continue;
    const lastBar = recent[recent.length - 1];
    out.push({ id, last_ts: lastBar.ts, volume: lastBar.volume, closes: recent.map((c) => c.close) });
  }
  return out;
}
