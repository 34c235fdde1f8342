/**
 * A rollup of stored candles written independently of the continuous aggregates (open/close by array
 * order instead of first()/last(), vwap weighted by volume with the close standing in for a missing
 * vwap), and a view read in the same shape. Rounded: sums may add in another order.
 */
import type { Queryable } from '../../src/db/types.ts';
import { PG_INTERVAL, type Interval } from '../../src/intervals.ts';

export async function rollupOfCandles(q: Queryable, source: Interval, target: Interval) {
  const r = await q.query(
    `SELECT asset_id, b AS ts,
            round(((array_agg(open ORDER BY ts))[1])::numeric, 6)::text AS open,
            round(max(high)::numeric, 6)::text AS high, round(min(low)::numeric, 6)::text AS low,
            round(((array_agg(close ORDER BY ts DESC))[1])::numeric, 6)::text AS close,
            round(sum(volume)::numeric, 6)::text AS volume, sum(trades)::bigint AS trades,
            round((sum(coalesce(vwap, close) * volume) / nullif(sum(volume), 0))::numeric, 6)::text AS vwap
       FROM (SELECT *, time_bucket($1::interval, ts) AS b FROM candles WHERE "interval" = $2) c
      GROUP BY asset_id, b ORDER BY asset_id, b`,
    [PG_INTERVAL[target], source],
  );
  return r.rows;
}

export async function fromView(q: Queryable, view: string) {
  const r = await q.query(
    `SELECT asset_id, ts, round(open::numeric, 6)::text AS open, round(high::numeric, 6)::text AS high, round(low::numeric, 6)::text AS low,
            round(close::numeric, 6)::text AS close, round(volume::numeric, 6)::text AS volume, trades::bigint AS trades,
            round(vwap::numeric, 6)::text AS vwap
       FROM ${view} ORDER BY asset_id, ts`,
  );
  return r.rows;
}
