/**
 * Synthetic candles inserted with SQL (generate_series), for the TimescaleDB tests. Prices move
 * deterministically with time and asset so aggregates have distinct opens, closes, highs and lows;
 * every 7th candle has no vwap.
 */
import type { Queryable } from '../../src/db/types.ts';
import { refreshSeries } from '../../src/market/candle-series.ts';

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
export async function insertCandles(
  q: Queryable,
  opts: { interval: string; step: string; from: string; to: string },
): Promise<number> {
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
  // Plain SQL is not a tm write path: record the series as tm's writers do.
  await refreshSeries(q);
  return r.rowCount;
}

/** Columns of bars (e.g. from generateSeries) inserted for one asset and interval, in one statement. */
export async function insertSeries(
  q: Queryable,
  assetId: string,
  s: {
    ts: Float64Array;
    open: Float64Array;
    high: Float64Array;
    low: Float64Array;
    close: Float64Array;
    volume: Float64Array;
  },
  opts: { interval?: string; from?: number; to?: number } = {},
): Promise<void> {
  const from = opts.from ?? 0;
  const idx = Array.from({ length: (opts.to ?? s.ts.length) - from }, (_, k) => from + k);
  await q.query(
    `INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume)
     SELECT $1, u.ts, $8::candle_interval, u.o, u.h, u.l, u.c, u.v
     FROM unnest($2::timestamptz[], $3::float8[], $4::float8[], $5::float8[], $6::float8[], $7::float8[]) AS u(ts, o, h, l, c, v)`,
    [
      assetId,
      idx.map((i) => new Date(s.ts[i]).toISOString()),
      idx.map((i) => s.open[i]),
      idx.map((i) => s.high[i]),
      idx.map((i) => s.low[i]),
      idx.map((i) => s.close[i]),
      idx.map((i) => s.volume[i]),
      opts.interval ?? '1d',
    ],
  );
  await refreshSeries(q, [assetId]);
}
