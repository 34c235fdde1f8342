/** Assets and candles by direct SQL, for tests of code that reads them (the importer is another module's). */
import type { Queryable } from '../../src/db/types.ts';
import { refreshSeries } from '../../src/market/candle-series.ts';

export async function insertAsset(q: Queryable, symbol: string): Promise<string> {
  const r = await q.query<{ id: string }>(
    `INSERT INTO assets (symbol, name, asset_type, exchange) VALUES ($1, $2, 'stock', 'TEST') RETURNING id`,
    [symbol, `${symbol} Inc.`],
  );
  return r.rows[0].id;
}

/** Candles with the given closes, one per step from `start` (open = high = low = close). */
export async function insertCloses(
  q: Queryable,
  assetId: string,
  closes: number[],
  opts: { start: string; interval?: string; stepMs?: number },
): Promise<void> {
  const interval = opts.interval ?? '1m';
  const step = opts.stepMs ?? 60_000;
  const t0 = Date.parse(opts.start);
  const ts = closes.map((_, i) => new Date(t0 + i * step).toISOString());
  await q.query(
    `INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume)
     SELECT $1, t, $4::candle_interval, c, c, c, c, 100 FROM unnest($2::timestamptz[], $3::float8[]) AS u(t, c)`,
    [assetId, ts, closes, interval],
  );
  // Plain SQL is not a tm write path: record the series as tm's writers do.
  await refreshSeries(q, [assetId]);
}
