/**
 * "Price Statistics by Asset" over all history. With the continuous aggregate candle_price_stats
 * (migration 0011: TimescaleDB with the timescale license) most of the answer is read from 30-day
 * buckets already materialized; exact like the seed's SQL because every range the materialization
 * may not match is read from candles instead:
 * - at or after the watermark (not materialized yet: the real-time part),
 * - ranges in TimescaleDB's invalidation logs (candles written, changed or deleted below the
 *   watermark since the last refresh, or being refreshed now),
 * - buckets holding candles older than the oldest chunk (retention dropped chunks; the aggregate keeps
 *   their buckets).
 * One snapshot (a repeatable-read transaction) sees the logs, the watermark and the data together.
 * Without the aggregate, or on a TimescaleDB whose catalog lacks what this reads (the catalog is
 * checked, not the version), the seed's shape reads the candles.
 */
import type { Database, Queryable } from '../db/types.ts';
import type { Interval } from '../intervals.ts';

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

interface Aggregate {
  mat_id: number;
  raw_id: number;
  mat_table: string;
  /** continuous_aggs_materialization_ranges exists (ranges a refresh is materializing). */
  ranges: boolean;
}

const VIEW = 'candle_price_stats';

/** The aggregate and the catalog it needs, or null (then the candles are read). */
async function findAggregate(q: Queryable): Promise<Aggregate | null> {
  const has = await q.query<{ ok: boolean; ranges: boolean }>(
    `SELECT to_regclass('_timescaledb_catalog.continuous_agg') IS NOT NULL
        AND to_regclass('_timescaledb_catalog.continuous_aggs_watermark') IS NOT NULL
        AND to_regclass('_timescaledb_catalog.continuous_aggs_hypertable_invalidation_log') IS NOT NULL
        AND to_regclass('_timescaledb_catalog.continuous_aggs_materialization_invalidation_log') IS NOT NULL
        AND to_regprocedure('_timescaledb_functions.to_timestamp(bigint)') IS NOT NULL
        -- WAL-based invalidation (a logical slot) fills the logs only when a refresh runs: not usable here
        AND NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE plugin = 'timescaledb-invalidations') AS ok,
       to_regclass('_timescaledb_catalog.continuous_aggs_materialization_ranges') IS NOT NULL AS ranges`,
  );
  if (!has.rows[0]?.ok) return null;
  const r = await q.query<{ mat_id: number; raw_id: number; mat_table: string }>(
    `SELECT c.mat_hypertable_id AS mat_id, c.raw_hypertable_id AS raw_id,
            format('%I.%I', h.schema_name, h.table_name) AS mat_table
       FROM _timescaledb_catalog.continuous_agg c
       JOIN _timescaledb_catalog.hypertable h ON h.id = c.mat_hypertable_id
      WHERE c.user_view_name = $1 AND c.user_view_schema = current_schema()`,
    [VIEW],
  );
  const a = r.rows[0];
  return a ? { ...a, ranges: has.rows[0].ranges } : null;
}

const ORDER = 'ORDER BY a.symbol, a.exchange NULLS FIRST';

/**
 * The seed's join-then-aggregate shape (aggregating per chunk first was 2.5x slower on the hypertable),
 * grouped by asset: the seed groups by symbol alone, which would merge two assets sharing a symbol on
 * different exchanges. With unique symbols the results are the same.
 */
const FROM_CANDLES = `SELECT a.symbol, a.exchange, count(*)::int AS candle_count, min(c.ts) AS first_date,
       max(c.ts) AS last_date, min(c.low) AS all_time_low, max(c.high) AS all_time_high, avg(c.close) AS avg_price
FROM candles c JOIN assets a ON a.id = c.asset_id
WHERE c."interval" = $1
GROUP BY a.id
${ORDER}`;

/**
 * The ranges to read from candles, bucket-aligned and merged (so a bucket is read from the aggregate
 * or from candles, never both), as text PostgreSQL parses back: internal times are Unix microseconds.
 */
function rawRangesSql(a: Aggregate): string {
  const ts = (v: string) => `_timescaledb_functions.to_timestamp(${v})`;
  const bucket = (v: string, op: string) =>
    `CASE WHEN ${v} < ${YEAR_1} THEN '-infinity'::timestamptz WHEN ${v} > ${YEAR_9999} THEN 'infinity'::timestamptz
          ELSE ${op.replace('$', `time_bucket(${BUCKET}, ${ts(v)})`)} END`;
  const log = (table: string, idCol: string, id: number) =>
    `SELECT lowest_modified_value AS lo, greatest_modified_value AS hi FROM _timescaledb_catalog.${table} WHERE ${idCol} = ${id}`;
  const logs = [
    log('continuous_aggs_hypertable_invalidation_log', 'hypertable_id', a.raw_id),
    log('continuous_aggs_materialization_invalidation_log', 'materialization_id', a.mat_id),
    ...(a.ranges ? [log('continuous_aggs_materialization_ranges', 'materialization_id', a.mat_id)] : []),
  ];
  // Retention drops whole chunks and the aggregate keeps their buckets. TimescaleDB 2.28 and 2.23 log the
  // dropped range as invalidated; where a version does not, a bucket holding a candle older than the oldest
  // chunk still stored is read from candles.
  const oldestChunk = `(SELECT ${ts('min(ds.range_start)')} FROM _timescaledb_catalog.chunk ch
       JOIN _timescaledb_catalog.chunk_constraint cc ON cc.chunk_id = ch.id
       JOIN _timescaledb_catalog.dimension_slice ds ON ds.id = cc.dimension_slice_id
      WHERE ch.hypertable_id = ${a.raw_id})`;
  return `WITH wm AS (
  SELECT coalesce((SELECT ${bucket('watermark', '$')}
                     FROM _timescaledb_catalog.continuous_aggs_watermark WHERE mat_hypertable_id = ${a.mat_id}),
                  '-infinity'::timestamptz) AS w
), oldest AS (
  SELECT coalesce(${oldestChunk}, 'infinity'::timestamptz) AS ts
), ranges AS (
  SELECT ${bucket('lo', '$')} AS from_ts, ${bucket('hi', `$ + ${BUCKET}`)} AS to_ts FROM (${logs.join('\n  UNION ALL ')}) l
  UNION ALL SELECT w, 'infinity'::timestamptz FROM wm
  UNION ALL SELECT DISTINCT m.bucket, m.bucket + ${BUCKET} FROM ${a.mat_table} m, oldest o
   WHERE m.bucket <= o.ts AND m.first_ts < o.ts
), ordered AS (
  SELECT from_ts, to_ts,
         max(to_ts) OVER (ORDER BY from_ts, to_ts ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
    FROM ranges WHERE from_ts < to_ts
), islands AS (
  SELECT from_ts, to_ts,
         sum(CASE WHEN prev_end IS NULL OR from_ts > prev_end THEN 1 ELSE 0 END) OVER (ORDER BY from_ts, to_ts) AS grp
    FROM ordered
)
SELECT min(from_ts)::text AS from_ts, max(to_ts)::text AS to_ts FROM islands GROUP BY grp ORDER BY 1`;
}

/**
 * The aggregate's buckets outside the ranges, plus the candles inside them, one UNION ALL arm per range
 * with constant bounds, so each plans only its own chunks.
 */
function fromAggregateSql(a: Aggregate, ranges: number): string {
  const arms = Array.from(
    { length: ranges },
    (_, i) => `SELECT asset_id, count(*), min(ts), max(ts), min(low), max(high), sum(close) FROM candles
   WHERE "interval" = $1 AND ts >= $${4 + 2 * i}::timestamptz AND ts < $${5 + 2 * i}::timestamptz GROUP BY asset_id`,
  );
  return `WITH parts AS (
  SELECT m.asset_id, m.candles, m.first_ts, m.last_ts, m.low, m.high, m.close_sum
    FROM ${a.mat_table} m
   WHERE m."interval" = $1
     AND NOT EXISTS (SELECT 1 FROM unnest($2::text[]::timestamptz[], $3::text[]::timestamptz[]) r(f, t)
                      WHERE m.bucket >= r.f AND m.bucket < r.t)
  ${arms.map((x) => `UNION ALL\n  ${x}`).join('\n  ')}
)
SELECT a.symbol, a.exchange, sum(p.candles)::int AS candle_count, min(p.first_ts) AS first_date,
       max(p.last_ts) AS last_date, min(p.low) AS all_time_low, max(p.high) AS all_time_high,
       sum(p.close_sum) / sum(p.candles)::float8 AS avg_price
FROM parts p JOIN assets a ON a.id = p.asset_id
GROUP BY a.id
${ORDER}`;
}

const BUCKET = "INTERVAL '30 days'";
// Internal times outside years 1..9999 are TimescaleDB's open ends (and ±infinity).
const YEAR_1 = '-62135596800000000';
const YEAR_9999 = '253402300799000000';

/**
 * Where the answer comes from: the aggregate, with the time ranges read from candles instead (always at
 * least the real-time part from the watermark on), or the candles alone.
 */
export async function priceStatsPlan(
  q: Queryable,
): Promise<{ source: 'aggregate'; fromCandles: { from_ts: string; to_ts: string }[] } | { source: 'candles' }> {
  const a = await findAggregate(q);
  if (!a) return { source: 'candles' };
  return {
    source: 'aggregate',
    fromCandles: (await q.query<{ from_ts: string; to_ts: string }>(rawRangesSql(a))).rows,
  };
}

export async function priceStats(q: Queryable, p: { interval: Interval }): Promise<PriceStats[]> {
  const a = await findAggregate(q);
  if (!a) return (await q.query<PriceStats>(FROM_CANDLES, [p.interval])).rows;
  const read = async (tx: Queryable) => {
    const ranges = (await tx.query<{ from_ts: string; to_ts: string }>(rawRangesSql(a))).rows;
    const params = [
      p.interval,
      ranges.map((r) => r.from_ts),
      ranges.map((r) => r.to_ts),
      ...ranges.flatMap((r) => [r.from_ts, r.to_ts]),
    ];
    return (await tx.query<PriceStats>(fromAggregateSql(a, ranges.length), params)).rows;
  };
  // Two statements, one snapshot: the ranges and the data they describe must agree.
  if (!('transaction' in q)) return read(q);
  return (q as Database).transaction(async (tx) => {
    await tx.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    return read(tx);
  });
}
