/**
 * The markets overview: every asset with its recent closes of one interval (for a sparkline), last
 * price, change against the previous close and last volume. One probe per asset for its newest bars.
 */
import type { Queryable } from '../db/types.ts';
import type { Interval } from '../intervals.ts';

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

const OVERVIEW_SQL = `SELECT a.id, a.symbol, a.name, a.asset_type::text AS asset_type, a.exchange,
       x.last_ts, x.volume, coalesce(x.closes, '{}') AS closes
FROM assets a
LEFT JOIN LATERAL (
  SELECT max(ts) AS last_ts, (array_agg(volume ORDER BY ts DESC))[1] AS volume, array_agg(close ORDER BY ts) AS closes
  FROM (SELECT ts, close, volume FROM candles WHERE asset_id = a.id AND "interval" = $1 ORDER BY ts DESC LIMIT $2) t
) x ON true
ORDER BY a.symbol, a.exchange NULLS FIRST`;

export async function marketOverview(q: Queryable, p: { interval: Interval; points: number }): Promise<MarketRow[]> {
  const r = await q.query<Omit<MarketRow, 'last_price' | 'change_pct'>>(OVERVIEW_SQL, [p.interval, p.points]);
  return r.rows.map((row) => {
    const closes = row.closes.map(Number);
    const last = closes.length > 0 ? closes[closes.length - 1] : null;
    const prev = closes.length > 1 ? closes[closes.length - 2] : null;
    const change = last !== null && prev ? ((last - prev) / prev) * 100 : null;
    return {
      ...row,
      volume: row.volume === null ? null : Number(row.volume),
      closes,
      last_price: last,
      change_pct: change === null ? null : Math.round(change * 100) / 100,
    };
  });
}
