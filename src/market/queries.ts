/**
 * The seed's six common queries as typed functions. Results equal the seed's SQL on the same data
 * (test/market/queries.test.ts runs both; the seed's SQL is in test/helpers/seed-sql.ts). Where the seed scans every candle or signal to pick one
 * row per asset (DISTINCT ON, ROW_NUMBER), these use LATERAL over assets, so each asset costs one
 * index probe on candles_asset_id_interval_ts_key / signals_active_asset_id_ts_id_idx (migration 0011).
 */
import type { Queryable } from '../db/types.ts';
import type { Candle, OhlcvColumn } from '../ohlcv.ts';
import { intervalMs, type Interval } from '../intervals.ts';
import { correctSeries, groupByRecency, readBackwards, seriesBounds, seriesOfInterval } from './candle-series.ts';

export type LatestCandle = Pick<Candle, 'ts' | OhlcvColumn>;

/**
 * "Get Latest Candles for an Asset": newest first; `offset` skips that many of the newest (paging).
 * Bounded below by a constant from candle_series, so the planner reads only the newest chunks: a
 * window twice the page's nominal span, widened if it held too few. No upper bound: candles written
 * after the bounds were read are still found.
 */
export async function latestCandles(
  q: Queryable,
  p: { assetId: string; interval: Interval; limit: number; offset?: number },
): Promise<LatestCandle[]> {
  const offset = p.offset ?? 0;
  const b = await seriesBounds(q, p.assetId, p.interval);
  if (!b) return [];
  const page = (lower: Date) =>
    q.query<LatestCandle>(
      `SELECT ts, open, high, low, close, volume FROM candles
       WHERE asset_id = $1 AND "interval" = $2 AND ts >= $5 ORDER BY ts DESC LIMIT $3 OFFSET $4`,
      [p.assetId, p.interval, p.limit, offset, lower],
    );
  const span = Math.max(2 * (p.limit + offset) * intervalMs(p.interval), WINDOW_MIN_MS);
  const { rows, reachedFirst } = await readBackwards<LatestCandle>(
    b.first_ts,
    b.last_ts,
    span,
    (r) => r.length >= p.limit,
    async (lower) => (await page(lower)).rows,
  );
  if (reachedFirst && rows.length > 0 && rows.length < p.limit) {
    // This page holds the oldest candle: the series' count and start are known exactly now.
    const oldest = rows[rows.length - 1].ts;
    await correctSeries(q, p.assetId, p.interval, b, { first_ts: oldest, candles: offset + rows.length }).catch(
      () => undefined, // a read-only connection cannot correct it; the bounds stay safe
    );
  }
  return rows;
}

// Two weeks: two of the seed's 7-day chunks, so a short page of fine candles plans at most a few.
const WINDOW_MIN_MS = 14 * 86_400_000;

/**
 * Candles of an asset and interval, optionally only those in [from, to]. The whole series' count comes
 * from candle_series (no count of all history per call); a range is counted within constant bounds.
 */
export async function countCandles(
  q: Queryable,
  p: { assetId: string; interval: Interval; from?: Date | null; to?: Date | null },
): Promise<number> {
  const b = await seriesBounds(q, p.assetId, p.interval);
  if (!b) return 0;
  if (!p.from && !p.to) return b.candles;
  const from = p.from && p.from > b.first_ts ? p.from : b.first_ts;
  const r = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM candles WHERE asset_id = $1 AND "interval" = $2
       AND ts >= $3 AND ($4::timestamptz IS NULL OR ts <= $4)`,
    [p.assetId, p.interval, from, p.to ?? null],
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

/**
 * "Get Latest Indicators": everything computed in the last `days` days, by symbol then newest first.
 * Assets in symbol order, each one's newest indicators from indicators_asset_id_ts_idx: with `limit`
 * the planner sorts incrementally (per symbol) and stops after the page instead of sorting every row.
 */
export async function latestIndicators(q: Queryable, p: { days: number } & Paging): Promise<IndicatorRow[]> {
  const page = pageSql(p, 2);
  const r = await q.query<IndicatorRow>(
    `SELECT a.symbol, i.name, i.value, i.ts FROM assets a
     CROSS JOIN LATERAL (
       SELECT id, name, value, ts FROM indicators
        WHERE asset_id = a.id AND ts >= now() - make_interval(days => $1)) i
     ORDER BY a.symbol, i.ts DESC, i.name, i.id${page.sql}`,
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

/** "Get Active Signals": newest first; a page reads signals_active_ts_id_idx (active only, in this order). */
export async function activeSignals(q: Queryable, p: Paging = {}): Promise<SignalRow[]> {
  const page = pageSql(p, 1);
  const r = await q.query<SignalRow>(
    `SELECT a.symbol, s.signal_type::text AS signal_type, s.strength, s.confidence, s.rationale, s.ts
     FROM signals s JOIN assets a ON a.id = s.asset_id
     -- the built-in strategies' (a user's strategy signals are that user's, docs/analysis.md)
     WHERE s.is_active AND s.user_id IS NULL ORDER BY s.ts DESC, s.id DESC${page.sql}`,
    page.params,
  );
  return r.rows;
}

export async function countActiveSignals(q: Queryable): Promise<number> {
  const r = await q.query<{ n: number }>('SELECT count(*)::int AS n FROM signals WHERE is_active AND user_id IS NULL');
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
       WHERE asset_id = a.id AND is_active AND user_id IS NULL ORDER BY ts DESC, id DESC LIMIT 1) s
     ORDER BY s.ts DESC, a.symbol`,
  );
  return r.rows;
}

export { type PriceStats, priceStats } from './price-stats.ts';

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
 * LATERAL with `ts < latest` paid chunk exclusion per asset and was 8x slower embedded). $2 bounds
 * every probe from below by a constant, so the planner leaves out the chunks before it.
 */
export const PRICE_CHANGES_SQL = `SELECT a.id AS asset_id, a.symbol, x.current_price, x.previous_price,
       round(((x.current_price - x.previous_price) / NULLIF(x.previous_price, 0) * 100)::numeric, 2) AS pct_change
FROM assets a
CROSS JOIN LATERAL (
  SELECT (array_agg(close ORDER BY ts DESC))[1] AS current_price, (array_agg(close ORDER BY ts DESC))[2] AS previous_price
  FROM (SELECT ts, close FROM candles WHERE asset_id = a.id AND "interval" = $1 AND ts >= $2
          AND ($4::timestamptz IS NULL OR ts <= $4) ORDER BY ts DESC LIMIT 2) last2
  HAVING count(*) = 2) x
WHERE a.id = ANY($3::uuid[])
ORDER BY pct_change DESC NULLS FIRST, a.symbol`;

/**
 * Assets grouped by how recent their newest candle is (active ones share one group; a delisted asset
 * stands apart), one statement per group bounded by the group's times, so each plans only the chunks
 * of its own window. The newest group has no upper bound: candles written after the series was
 * recorded still count. Assets whose two newest candles lie further apart than the margin are read
 * again within their whole series.
 */
export async function priceChanges(q: Queryable, p: { interval: Interval }): Promise<PriceChange[]> {
  const withTwo = (await seriesOfInterval(q, p.interval)).filter((s) => s.candles >= 2);
  if (withTwo.length === 0) return [];
  const margin = Math.max(10 * intervalMs(p.interval), WINDOW_MIN_MS);
  const run = async (lower: Date, upper: Date | null, ids: string[]) =>
    (await q.query<PriceChange & { asset_id: string }>(PRICE_CHANGES_SQL, [p.interval, lower, ids, upper])).rows;
  const rows: (PriceChange & { asset_id: string })[] = [];
  const groups = groupByRecency(withTwo, margin);
  for (const [i, g] of groups.entries()) {
    const newest = g[0].last_ts;
    const lower = new Date(g[g.length - 1].last_ts.getTime() - margin);
    rows.push(
      ...(await run(
        lower,
        i === 0 ? null : newest,
        g.map((s) => s.asset_id),
      )),
    );
  }
  const found = new Set(rows.map((r) => r.asset_id));
  const rest = withTwo.filter((x) => !found.has(x.asset_id));
  for (const s of rest) rows.push(...(await run(s.first_ts, s.last_ts, [s.asset_id])));
  // One statement returns the seed's order; several need it again.
  if (groups.length > 1 || rest.length > 0) rows.sort(byChangeThenSymbol);
  return rows.map(({ asset_id: _, ...r }) => r);
}

/** ORDER BY pct_change DESC NULLS FIRST, symbol: the seed's order (NULL sorts first descending). */
function byChangeThenSymbol(a: PriceChange & { symbol: string }, b: PriceChange & { symbol: string }): number {
  if (a.pct_change !== b.pct_change) {
    if (a.pct_change === null) return -1;
    if (b.pct_change === null) return 1;
    return b.pct_change - a.pct_change;
  }
  return a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0;
}
