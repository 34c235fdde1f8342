/**
 * The candles table: every SQL statement about candles lives here (the import's merge, range reads
 * and rollups; the import's staging tables have their own module, import/staging.ts). Timestamps go to SQL as ISO strings and come back as Date.
 */
import type { Queryable } from '../db/types.ts';
import { INTERVALS, PG_INTERVAL, bucketStart, divides, intervalMs, nextBucket, type Interval } from '../intervals.ts';
import type { Staging } from './import/staging.ts';
import { ROLLUP_VWAP_SQL, findAggregate } from '../timescale/aggregates.ts';
import type { Candle, CandleSeries } from '../ohlcv.ts';
import {
  readBackwards,
  recordSeriesWrites,
  refreshSeries,
  seriesBounds,
  seriesOfAsset,
  type SeriesBounds,
} from './candle-series.ts';

const DAY_MS = 86_400_000;

export type { Candle } from '../ohlcv.ts';

// ---------------------------------------------------------------- import merge

export type OnConflict = 'update' | 'ignore' | 'error';

/** What one merge wrote for one asset: the range an alerts or aggregate hook needs. */
export interface MergedRange {
  asset_id: string;
  from: Date;
  to: Date;
  inserted: number;
  updated: number;
}

const VALUE_COLS = ['open', 'high', 'low', 'close', 'volume', 'trades', 'vwap'];

function conflictClause(onConflict: OnConflict): string {
  return onConflict === 'update'
    ? `ON CONFLICT (asset_id, "interval", ts) DO UPDATE SET ${VALUE_COLS.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}
       WHERE (${VALUE_COLS.map((c) => `candles.${c}`).join(', ')}) IS DISTINCT FROM (${VALUE_COLS.map((c) => `EXCLUDED.${c}`).join(', ')})`
    : onConflict === 'ignore'
      ? 'ON CONFLICT (asset_id, "interval", ts) DO NOTHING'
      : '';
}

/** Per asset: the range written and how many rows were inserted or updated (xmax = 0: a fresh tuple). */
const SUMMARISE = `SELECT asset_id, min(ts) AS "from", max(ts) AS "to",
       count(*) FILTER (WHERE fresh)::int AS inserted, count(*) FILTER (WHERE NOT fresh)::int AS updated
     FROM w GROUP BY asset_id`;

/**
 * Upserts every row of `table`, a temp table shaped like candles (the import's first pass fills one per
 * batch with rows that may meet stored candles, no two with one key), in key order, as mergeStaged does.
 */
export async function upsertCandlesFrom(
  tx: Queryable,
  table: string,
  onConflict: Exclude<OnConflict, 'error'>,
): Promise<MergedRange[]> {
  const r = await tx.query<MergedRange>(
    `WITH w AS (
       INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume, trades, vwap)
       SELECT asset_id, ts, "interval", open, high, low, close, volume, trades, vwap FROM ${table}
       ORDER BY asset_id, ts
       ${conflictClause(onConflict)}
       RETURNING asset_id, ts, (xmax = 0) AS fresh)
     ${SUMMARISE}`,
  );
  return r.rows;
}

/**
 * Moves staged rows numbered in (fromN, toN] into candles. `update` rewrites a stored candle only
 * when a value differs (so re-importing the same file reports them skipped, not updated); `ignore`
 * keeps stored candles; `error` uses a plain INSERT, so a candle written concurrently since the
 * pre-check fails the batch. Inserted vs updated comes from xmax = 0 (a fresh tuple), counted in SQL.
 */
export async function mergeStaged(
  tx: Queryable,
  st: Staging,
  interval: Interval,
  onConflict: OnConflict,
  fromN: number,
  toN: number,
): Promise<MergedRange[]> {
  const conflict = conflictClause(onConflict);
  const r = await tx.query<MergedRange>(
    `WITH w AS (
       INSERT INTO candles (asset_id, ts, "interval", open, high, low, close, volume, trades, vwap)
       SELECT m.asset_id, s.ts, $1::candle_interval, s.open, s.high, s.low, s.close, s.volume, s.trades, s.vwap
       FROM ${st.table} s JOIN ${st.assets} m USING (symbol)
       WHERE s.n > $2 AND s.n <= $3
       -- Rows are written, and their index entries locked, in the order of the unique key: two imports
       -- of the same rows in opposite orders then wait for each other instead of deadlocking.
       ORDER BY m.asset_id, s.ts
       ${conflict}
       RETURNING asset_id, ts, (xmax = 0) AS fresh)
     ${SUMMARISE}`,
    [interval, fromN, toN],
  );
  return r.rows;
}

// ---------------------------------------------------------------- range reads

export interface RangeQuery {
  assetId: string;
  interval: Interval;
  from: Date;
  to: Date;
  limit: number;
}

export interface CandleRange {
  interval: Interval;
  /** Where the candles came from: stored rows, an aggregate view, or a rollup of a finer interval. */
  source:
    | { kind: 'stored' }
    | { kind: 'aggregate'; view: string }
    | { kind: 'rollup'; from_interval: Interval }
    | { kind: 'none' };
  candles: Candle[];
}

const CANDLE_COLS = 'ts, open, high, low, close, volume, trades, vwap';

/** SQL for the start of the bucket holding ts: weeks from Monday, months from the 1st, in UTC. */
export function bucketSql(interval: Interval, col = 'ts'): string {
  if (interval === '1M') return `date_trunc('month', ${col}, 'UTC')`;
  const origin = interval === '1w' ? "'2000-01-03T00:00:00Z'" : "'2000-01-01T00:00:00Z'";
  return `date_bin('${PG_INTERVAL[interval]}'::interval, ${col}, ${origin}::timestamptz)`;
}

/**
 * Candles of one asset in [from, to): the stored ones of that interval; else an aggregate view for it;
 * else a rollup of the finest stored interval that divides it (date_bin and array_agg, so it works
 * without TimescaleDB too). Every source answers buckets starting at or after `from`, so a bucket
 * holding `from` is left out, as it is from stored candles; a rollup's last bucket may be partial.
 */
export async function candleRange(q: Queryable, rq: RangeQuery): Promise<CandleRange> {
  const { assetId, interval, from, to, limit } = rq;
  let series = await seriesOfAsset(q, assetId);
  // An asset with no recorded series may hold candles written with plain SQL: measure it once.
  if (series.size === 0 && (await refreshSeries(q, [assetId])) > 0) series = await seriesOfAsset(q, assetId);
  if (series.has(interval)) {
    const r = await q.query<Candle>(
      `SELECT ${CANDLE_COLS} FROM candles WHERE asset_id = $1 AND "interval" = $2 AND ts >= $3 AND ts < $4 ORDER BY ts LIMIT $5`,
      [assetId, interval, from, to, limit],
    );
    return { interval, source: { kind: 'stored' }, candles: r.rows };
  }
  const view = (await findAggregate(q, interval))?.view;
  if (view) {
    const r = await q.query<Candle>(
      `SELECT ${CANDLE_COLS} FROM ${view} WHERE asset_id = $1 AND ts >= $2 AND ts < $3 ORDER BY ts LIMIT $4`,
      [assetId, from, to, limit],
    );
    if (r.rows.length > 0) return { interval, source: { kind: 'aggregate', view }, candles: r.rows };
  }
  const fine = rollupSource(series, interval, from);
  if (fine) {
    const b = bucketSql(interval);
    const r = await q.query<Candle>(
      `SELECT bucket AS ts,
              (array_agg(open ORDER BY ts))[1] AS open, max(high) AS high, min(low) AS low,
              (array_agg(close ORDER BY ts DESC))[1] AS close, sum(volume) AS volume,
              sum(trades)::float8 AS trades, ${ROLLUP_VWAP_SQL} AS vwap
       FROM (SELECT ${b} AS bucket, * FROM candles
             WHERE asset_id = $1 AND "interval" = $2 AND ts >= $3 AND ts < $4) c
       WHERE bucket >= $3
       GROUP BY bucket ORDER BY bucket LIMIT $5`,
      [assetId, fine, from, to, limit],
    );
    return { interval, source: { kind: 'rollup', from_interval: fine }, candles: r.rows };
  }
  return { interval, source: { kind: 'none' }, candles: [] };
}

// ---------------------------------------------------------------- write log

/**
 * candles has no updated_at (the seed's schema), so every tm write path appends what it wrote, per
 * (asset, interval), in the transaction that wrote it; triggers do it for plain SQL (migration 0012).
 * Incremental indicator and signal computation reads it to recompute from changed candles.
 */
export interface CandleWrite {
  asset_id: string;
  interval: Interval;
  from_ts: Date;
  to_ts: Date;
  rows: number;
  /** Of `rows`, the candles that did not exist before (the rest were updated). */
  inserted: number;
}

/**
 * Appends one row per (asset, interval) range written, and widens the series' bounds (candle_series);
 * call it in the transaction that wrote them.
 */
export async function recordCandleWrites(q: Queryable, writes: CandleWrite[]): Promise<void> {
  if (writes.length === 0) return;
  await recordSeriesWrites(q, writes);
  await q.query(
    `INSERT INTO candle_writes (asset_id, "interval", from_ts, to_ts, rows)
     SELECT a, i::candle_interval, f, t, n
     -- the interval as text[]: the embedded driver only serializes array types it knew at open
     FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::int[]) AS u(a, i, f, t, n)`,
    [
      writes.map((w) => w.asset_id),
      writes.map((w) => w.interval),
      writes.map((w) => w.from_ts.toISOString()),
      writes.map((w) => w.to_ts.toISOString()),
      writes.map((w) => w.rows),
    ],
  );
}

// ---------------------------------------------------------------- columnar reads for analysis

export interface CandleColumns extends CandleSeries {
  /** Index of the first bar at or after `from` (bars before it are warm-up). */
  start: number;
}

export interface ColumnRead {
  assetId: string;
  interval: Interval;
  /** First bar to compute; null = from the first stored bar. */
  from: Date | null;
  /** Bars to read before `from` (Infinity = all). */
  warmup: number;
  /** Last bar to read (inclusive); default: all. */
  to?: Date | null;
}

interface Bar {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
}

// Epoch ms as float8 keeps rows small on their way into JavaScript.
const COLS = 'extract(epoch FROM ts)::float8 * 1000 AS t, open AS o, high AS h, low AS l, close AS c, volume AS v';

/**
 * How many stored bars lie in [from, to] (either end open), counting at most `cap + 1`: enough to refuse a read
 * over a cap without counting (or reading) a whole long series.
 */
export async function countCandlesUpTo(
  q: Queryable,
  r: { assetId: string; interval: Interval; from: Date | null; to: Date | null },
  cap: number,
): Promise<number> {
  const res = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM candles WHERE asset_id = $1 AND "interval" = $2
       AND ($3::timestamptz IS NULL OR ts >= $3) AND ($4::timestamptz IS NULL OR ts <= $4) LIMIT $5) c`,
    [r.assetId, r.interval, r.from, r.to, cap + 1],
  );
  return res.rows[0].n;
}

export async function readCandleColumns(q: Queryable, r: ColumnRead): Promise<CandleColumns> {
  const to = r.to ?? null;
  const bounds = await seriesBounds(q, r.assetId, r.interval);
  let before: Bar[] = [];
  // The series' first candle bounds both reads from below, as a constant the planner can use.
  if (bounds && r.from && r.warmup > 0) {
    const limit = Number.isFinite(r.warmup) ? r.warmup : null;
    const warm = (lower: Date) =>
      q.query<Bar>(
        `SELECT ${COLS} FROM candles WHERE asset_id = $1 AND "interval" = $2 AND ts < $3 AND ts >= $5
         ORDER BY ts DESC LIMIT $4`,
        [r.assetId, r.interval, r.from, limit, lower],
      );
    const span = limit === null ? Number.POSITIVE_INFINITY : Math.max(2 * limit * intervalMs(r.interval), 14 * DAY_MS);
    const res = await readBackwards<Bar>(
      bounds.first_ts,
      r.from,
      span,
      (rows) => limit !== null && rows.length >= limit,
      async (lower) => (await warm(lower)).rows,
    );
    before = res.rows.reverse();
  }
  const after = bounds
    ? await q.query<Bar>(
        `SELECT ${COLS} FROM candles WHERE asset_id = $1 AND "interval" = $2 AND ts >= $3
           AND ($4::timestamptz IS NULL OR ts <= $4)
         ORDER BY ts`,
        [r.assetId, r.interval, r.from && r.from > bounds.first_ts ? r.from : bounds.first_ts, to],
      )
    : { rows: [] as Bar[] };
  const bars = before.concat(after.rows);
  const n = bars.length;
  const cols = {
    ts: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const b = bars[i];
    cols.ts[i] = b.t;
    cols.open[i] = b.o;
    cols.high[i] = b.h;
    cols.low[i] = b.l;
    cols.close[i] = b.c;
    cols.volume[i] = b.v;
  }
  return { ...cols, start: before.length };
}

/**
 * The stored interval to roll up from: the finest one dividing `interval` whose candles reach back to
 * the first bucket starting at or after `from`; when none does, the one reaching back furthest (e.g. 90 days of 1d beat the last 5 days of 1h).
 */
function rollupSource(series: Map<Interval, SeriesBounds>, interval: Interval, from: Date): Interval | null {
  let best: { interval: Interval; first: number } | null = null;
  const start = bucketStart(interval, from.getTime());
  const firstBucket = start < from.getTime() ? nextBucket(interval, start) : start;
  for (const fine of INTERVALS.filter((i) => divides(i, interval))) {
    const first = series.get(fine)?.first_ts.getTime();
    if (first === undefined) continue;
    if (first <= firstBucket) return fine;
    if (!best || first < best.first) best = { interval: fine, first };
  }
  return best?.interval ?? null;
}

// ---------------------------------------------------------------- export pages

/** A stored candle as an export writes it: open time in epoch ms, values as stored (float8, exact in JS). */
export interface ExportRow {
  t: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  trades: number | null;
  vwap: number | null;
}

export interface PageRead {
  assetId: string;
  interval: Interval;
  /** Candles after this open time (epoch ms, exclusive); null = from `from`. */
  after: number | null;
  /** First open time (inclusive); null = the first stored. */
  from: Date | null;
  /** Last open time (exclusive); null = the last stored. */
  to: Date | null;
  limit: number;
}

/**
 * One page of stored candles, oldest first. Keyset (ts > the last one read) over the unique index: each
 * page costs the same however deep into the series it is, so an export of 10 million rows holds one
 * page in memory and does not slow down.
 */
export async function readCandlePage(q: Queryable, p: PageRead): Promise<ExportRow[]> {
  const lower = p.after !== null ? new Date(p.after).toISOString() : (p.from?.toISOString() ?? null);
  const r = await q.query<ExportRow>(
    `SELECT round(extract(epoch FROM ts) * 1000)::float8 AS t, open, high, low, close, volume, trades, vwap
     FROM candles
     WHERE asset_id = $1 AND "interval" = $2
       AND ($3::timestamptz IS NULL OR ts ${p.after !== null ? '>' : '>='} $3)
       AND ($4::timestamptz IS NULL OR ts < $4)
     ORDER BY ts LIMIT $5`,
    [p.assetId, p.interval, lower, p.to?.toISOString() ?? null, p.limit],
  );
  return r.rows;
}

/** The time of the newest bar at or before `to` (a bound the planner can use from the series' bounds), or null. */
export async function lastCandleTs(q: Queryable, assetId: string, interval: Interval, to: Date): Promise<Date | null> {
  const bounds = await seriesBounds(q, assetId, interval);
  if (!bounds || bounds.first_ts > to) return null;
  const r = await q.query<{ ts: Date }>(
    `SELECT ts FROM candles WHERE asset_id = $1 AND "interval" = $2 AND ts <= $3 AND ts >= $4 ORDER BY ts DESC LIMIT 1`,
    [assetId, interval, to, bounds.first_ts],
  );
  return r.rows[0]?.ts ?? null;
}
