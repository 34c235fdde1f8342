/**
 * The seed's six common queries as typed functions. Results equal the seed's SQL on the same data
 * (test/market/queries.test.ts runs both; the seed's SQL is in test/helpers/seed-sql.ts). Where the seed scans every candle or signal to pick one
 * row per asset (DISTINCT ON, ROW_NUMBER), these use LATERAL over assets, so each asset costs one
 * index probe on candles_asset_id_interval_ts_key / signals_asset_id_ts_idx.
 */
import type { Queryable } from '../db/types.ts';
import type { Interval } from '../intervals.ts';

export interface LatestCandle {
  ts: Date;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** "Get Latest Candles for an Asset": newest first; `offset` skips that many of the newest (paging). */
export async function latestCandles(
  q: Queryable,
  p: { assetId: string; interval: Interval; limit: number; offset?: number },
): Promise<LatestCandle[]> {
  const r = await q.query<LatestCandle>(
    `SELECT ts, open, high, low, close, volume FROM candles
     WHERE asset_id = $1 AND "interval" = $2 ORDER BY ts DESC LIMIT $3 OFFSET $4`,
    [p.assetId, p.interval, p.limit, p.offset ?? 0],
  );
  return r.rows;
}

/** Candles of an asset and interval, optionally only those in [from, to]. */
export async function countCandles(
  q: Queryable,
  p: { assetId: string; interval: Interval; from?: Date | null; to?: Date | null },
): Promise<number> {
  const r = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM candles WHERE asset_id = $1 AND "interval" = $2
       AND ($3::timestamptz IS NULL OR ts >= $3) AND ($4::timestamptz IS NULL OR ts <= $4)`,
    [p.assetId, p.interval, p.from ?? null, p.to ?? null],
  );
  return r.rows[0].n;
}

export interface IndicatorRow {
  symbol: string;
  name: string;
  value: number | null;
  ts: Date;
}

export interface Paging {
  limit?: number;
  offset?: number;
}

function pageSql(p: Paging, next: number): { sql: string; params: number[] } {
  if (p.limit === undefined) return { sql: '', params: [] };
  return { sql: ` LIMIT $${next} OFFSET $${next + 1}`, params: [p.limit, p.offset ?? 0] };
}

/** "Get Latest Indicators": everything computed in the last `days` days, by symbol then newest first. */
export async function latestIndicators(q: Queryable, p: { days: number } & Paging): Promise<IndicatorRow[]> {
  const page = pageSql(p, 2);
  const r = await q.query<IndicatorRow>(
    `SELECT a.symbol, i.name, i.value, i.ts FROM indicators i JOIN assets a ON a.id = i.asset_id
     WHERE i.ts >= now() - make_interval(days => $1) ORDER BY a.symbol, i.ts DESC, i.name${page.sql}`,
    [p.days, ...page.params],
  );
  return r.rows;
}

export async function countLatestIndicators(q: Queryable, p: { days: number }): Promise<number> {
  const r = await q.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM indicators WHERE ts >= now() - make_interval(days => $1)',
    [p.days],
  );
  return r.rows[0].n;
}

export interface SignalRow {
  symbol: string;
  signal_type: string;
  strength: number;
  confidence: number;
  rationale: string;
  ts: Date;
}

/** "Get Active Signals": newest first. */
export async function activeSignals(q: Queryable, p: Paging = {}): Promise<SignalRow[]> {
  const page = pageSql(p, 1);
  const r = await q.query<SignalRow>(
    `SELECT a.symbol, s.signal_type::text AS signal_type, s.strength, s.confidence, s.rationale, s.ts
     FROM signals s JOIN assets a ON a.id = s.asset_id WHERE s.is_active ORDER BY s.ts DESC, s.id DESC${page.sql}`,
    page.params,
  );
  return r.rows;
}

export async function countActiveSignals(q: Queryable): Promise<number> {
  const r = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM signals WHERE is_active');
  return r.rows[0].n;
}

/**
 * "Get Latest Signal Per Asset": the newest active signal of each asset. Among signals sharing the
 * newest ts (several strategies), the seed's ROW_NUMBER picks any one; this picks the highest id.
 */
export async function latestSignals(q: Queryable): Promise<SignalRow[]> {
  const r = await q.query<SignalRow>(
    `SELECT a.symbol, s.signal_type::text AS signal_type, s.strength, s.confidence, s.rationale, s.ts
     FROM assets a
     CROSS JOIN LATERAL (
       SELECT signal_type, strength, confidence, rationale, ts FROM signals
       WHERE asset_id = a.id AND is_active ORDER BY ts DESC, id DESC LIMIT 1) s
     ORDER BY s.ts DESC, a.symbol`,
  );
  return r.rows;
}

export interface PriceStats {
  symbol: string;
  exchange: string | null;
  candle_count: number;
  first_date: Date;
  last_date: Date;
  all_time_low: number;
  all_time_high: number;
  avg_price: number;
}

/**
 * "Price Statistics by Asset": the seed's join-then-aggregate shape (aggregating per chunk first was
 * 2.5x slower on the hypertable). The seed groups by
 * symbol alone, which would merge two assets sharing a symbol on different exchanges; this keeps
 * them apart (and adds the exchange). With unique symbols the results are the same.
 */
export async function priceStats(q: Queryable, p: { interval: Interval }): Promise<PriceStats[]> {
  const r = await q.query<PriceStats>(
    `SELECT a.symbol, a.exchange, count(*)::int AS candle_count, min(c.ts) AS first_date, max(c.ts) AS last_date,
            min(c.low) AS all_time_low, max(c.high) AS all_time_high, avg(c.close) AS avg_price
     FROM candles c JOIN assets a ON a.id = c.asset_id
     WHERE c."interval" = $1
     GROUP BY a.id
     ORDER BY a.symbol, a.exchange NULLS FIRST`,
    [p.interval],
  );
  return r.rows;
}

export interface PriceChange {
  symbol: string;
  current_price: number;
  previous_price: number;
  /** null when the previous close is 0 (the seed's SQL fails with division by zero there). */
  pct_change: number | null;
}

/**
 * "Recent Price Changes": last close vs the one before, per asset with at least two candles,
 * biggest gain first. One probe per asset for its newest two candles (on a hypertable, a second
 * LATERAL with `ts < latest` paid chunk exclusion per asset and was 8x slower embedded).
 */
export const PRICE_CHANGES_SQL = `SELECT a.symbol, x.current_price, x.previous_price,
       round(((x.current_price - x.previous_price) / NULLIF(x.previous_price, 0) * 100)::numeric, 2) AS pct_change
FROM assets a
CROSS JOIN LATERAL (
  SELECT (array_agg(close ORDER BY ts DESC))[1] AS current_price, (array_agg(close ORDER BY ts DESC))[2] AS previous_price
  FROM (SELECT ts, close FROM candles WHERE asset_id = a.id AND "interval" = $1 ORDER BY ts DESC LIMIT 2) last2
  HAVING count(*) = 2) x
ORDER BY pct_change DESC, a.symbol`;

export async function priceChanges(q: Queryable, p: { interval: Interval }): Promise<PriceChange[]> {
  const r = await q.query<PriceChange>(PRICE_CHANGES_SQL, [p.interval]);
  return r.rows;
}
