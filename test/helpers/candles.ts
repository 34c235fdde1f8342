/**
 * Synthetic candles inserted with SQL (generate_series), for the TimescaleDB tests. Prices move
 * deterministically with time and asset so aggregates have distinct opens, closes, highs and lows;
 * every 7th candle has no vwap.
 */
import type { Queryable } from '../../src/db/types.ts';

export async function insertAssets(q: Queryable, n: number): Promise<string[]> {
  const r = await q.query<{ id: string }>(
    `INSERT INTO assets (symbol, name, asset_type) SELECT 'T' || i, 'test asset ' || i, 'stock' FROM generate_series(1, $1::int) i RETURNING id`,
    [n],
  );
  return r.rows.map((x) => x.id);
}

/**
 * Candles of one interval for every asset from `from` to `to` (inclusive), stepping by `step`.
 * Times are SQL expressions (e.g. "date_trunc('hour', now()) - interval '70 days'").
 */
export async function insertCandles(q: Queryable, opts: { interval: string; step: string; from: string; to: string }): Promise<number> {
  const r = await q.query(
    `INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume, trades, vwap)
     SELECT a.id, g, $1::candle_interval, p.o, greatest(p.o, p.c) + 0.5, least(p.o, p.c) - 0.5, p.c, p.v, (p.v / 10)::bigint,
            CASE WHEN (extract(epoch FROM g)::bigint / 60) % 7 = 0 THEN NULL ELSE (p.o + p.c) / 2 END
       FROM (SELECT id, row_number() OVER (ORDER BY symbol) AS k FROM assets) a,
            generate_series(${opts.from}, ${opts.to}, $2::interval) g,
            LATERAL (SELECT 100 + a.k * 10 + 5 * sin(extract(epoch FROM g) / 3600.0 + a.k) AS o,
                            100 + a.k * 10 + 5 * sin(extract(epoch FROM g) / 3600.0 + a.k + 0.3) AS c,
                            (1000 + (extract(epoch FROM g)::bigint / 60) % 500 * a.k)::double precision AS v) p`,
    [opts.interval, opts.step],
  );
  return r.rowCount;
}
