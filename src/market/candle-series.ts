/**
 * The candle_series table: the first and last candle time and the candle count of each (asset,
 * interval). A read of the candles hypertable without a time bound the planner can see plans every
 * chunk (22 years of daily bars in 7-day chunks: 1,149 chunks, 460 ms of planning for 30 rows), so
 * reads take their bounds from here, as constants. Every write path records what it wrote through
 * recordCandleWrites, in the writing transaction; every other write (plain SQL: psql, scripts) is
 * recorded by triggers on candles (migration 0012), which leave tm's writers alone (see lockSeries).
 *
 * A bound is never narrower than the rows: inserts and updates only widen it, in the writing
 * transaction. Deleted candles (plain DELETE, retention) leave first_ts earlier than the oldest row,
 * which is still a lower bound. A read that reaches the oldest row corrects first_ts and the count,
 * unless a write changed the series meanwhile.
 */
import type { Queryable } from '../db/types.ts';
import type { Interval } from '../intervals.ts';

export interface SeriesBounds {
  first_ts: Date;
  last_ts: Date;
  candles: number;
}

export interface SeriesWrite {
  asset_id: string;
  interval: Interval;
  from_ts: Date;
  to_ts: Date;
  /** Candles that did not exist before this write. */
  inserted: number;
}

/**
 * Widens each series' bounds to the range written and adds the new candles to its count. Rows go in
 * key order, so concurrent writers lock series rows in one order and cannot deadlock here.
 */
export async function recordSeriesWrites(q: Queryable, writes: readonly SeriesWrite[]): Promise<void> {
  if (writes.length === 0) return;
  await q.query(
    `INSERT INTO candle_series AS s (asset_id, "interval", first_ts, last_ts, candles)
     SELECT a, i::candle_interval, min(f), max(t), sum(n)
     -- the interval as text[]: the embedded driver only serializes array types it knew at open
     FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::bigint[]) AS u(a, i, f, t, n)
     GROUP BY a, i
     ORDER BY a, i
     ON CONFLICT (asset_id, "interval") DO UPDATE
       SET first_ts = least(s.first_ts, EXCLUDED.first_ts),
           last_ts = greatest(s.last_ts, EXCLUDED.last_ts),
           candles = s.candles + EXCLUDED.candles`,
    [
      writes.map((w) => w.asset_id),
      writes.map((w) => w.interval),
      writes.map((w) => w.from_ts.toISOString()),
      writes.map((w) => w.to_ts.toISOString()),
      writes.map((w) => w.inserted),
    ],
  );
}

/**
 * The bounds of one series, or null when it has no candles. A series that candles written outside tm
 * (plain SQL) left unrecorded is measured once, unbounded, and recorded: later reads are bounded.
 */
export async function seriesBounds(q: Queryable, assetId: string, interval: Interval): Promise<SeriesBounds | null> {
  const r = await q.query<SeriesBounds>(
    `SELECT first_ts, last_ts, candles FROM candle_series WHERE asset_id = $1 AND "interval" = $2`,
    [assetId, interval],
  );
  if (r.rows[0]) return r.rows[0];
  const healed = await q.query<SeriesBounds>(
    `INSERT INTO candle_series (asset_id, "interval", first_ts, last_ts, candles)
     SELECT $1, $2, min(ts), max(ts), count(*) FROM candles WHERE asset_id = $1 AND "interval" = $2 HAVING count(*) > 0
     ON CONFLICT (asset_id, "interval") DO UPDATE SET first_ts = least(candle_series.first_ts, EXCLUDED.first_ts)
     RETURNING first_ts, last_ts, candles`,
    [assetId, interval],
  );
  return healed.rows[0] ?? null;
}

/** The intervals an asset has candles of, with their bounds. */
export async function seriesOfAsset(q: Queryable, assetId: string): Promise<Map<Interval, SeriesBounds>> {
  const r = await q.query<SeriesBounds & { interval: Interval }>(
    `SELECT "interval"::text AS "interval", first_ts, last_ts, candles FROM candle_series WHERE asset_id = $1`,
    [assetId],
  );
  return new Map(r.rows.map(({ interval, ...b }) => [interval, b]));
}

/** The intervals each of these assets has candles in (an asset without any is absent). */
export async function intervalsOfAssets(
  q: Queryable,
  assetIds: readonly string[],
): Promise<Map<string, Set<Interval>>> {
  const r = await q.query<{ asset_id: string; interval: Interval }>(
    `SELECT asset_id, "interval"::text AS "interval" FROM candle_series WHERE asset_id = ANY($1::uuid[])`,
    [assetIds],
  );
  const out = new Map<string, Set<Interval>>();
  for (const row of r.rows) out.set(row.asset_id, (out.get(row.asset_id) ?? new Set()).add(row.interval));
  return out;
}

/**
 * A read found the oldest candle of a series (it asked for more than there were): the exact count and
 * first time are known, so stale ones (after retention dropped old chunks) are put right.
 */
export async function correctSeries(
  q: Queryable,
  assetId: string,
  interval: Interval,
  seen: SeriesBounds,
  fact: { first_ts: Date; candles: number },
): Promise<void> {
  // Only while the row is still what the read started from: a write since (committed or not: the
  // UPDATE waits for its row lock, then checks the new row) may have added older candles the read
  // did not see, and moving first_ts past them would hide them.
  await q.query(
    `UPDATE candle_series SET first_ts = $3, candles = $4
      WHERE asset_id = $1 AND "interval" = $2 AND (first_ts, candles) IS DISTINCT FROM ($3::timestamptz, $4::bigint)
        AND $3::timestamptz <= last_ts
        AND (first_ts, last_ts, candles) = ($5::timestamptz, $6::timestamptz, $7::bigint)`,
    [assetId, interval, fact.first_ts, fact.candles, seen.first_ts, seen.last_ts, seen.candles],
  );
}

/** Assets with candles of an interval, in symbol order. */
export async function assetsWithSeries(q: Queryable, interval: Interval): Promise<{ id: string; symbol: string }[]> {
  const r = await q.query<{ id: string; symbol: string }>(
    `SELECT a.id, a.symbol FROM assets a
     WHERE EXISTS (SELECT 1 FROM candle_series s WHERE s.asset_id = a.id AND s."interval" = $1)
     ORDER BY a.symbol, a.exchange NULLS FIRST`,
    [interval],
  );
  return r.rows;
}

/**
 * Measures series again from the candles themselves (all assets, or some): for candles written with
 * plain SQL, which no tm write path recorded. Unbounded, so it reads every chunk once.
 */
export async function refreshSeries(q: Queryable, assetIds: readonly string[] | null = null): Promise<number> {
  const r = await q.query(
    `INSERT INTO candle_series AS s (asset_id, "interval", first_ts, last_ts, candles)
     SELECT asset_id, "interval", min(ts), max(ts), count(*) FROM candles
      WHERE $1::uuid[] IS NULL OR asset_id = ANY($1::uuid[])
      GROUP BY asset_id, "interval" ORDER BY asset_id, "interval"
     ON CONFLICT (asset_id, "interval") DO UPDATE
       SET first_ts = EXCLUDED.first_ts, last_ts = EXCLUDED.last_ts, candles = EXCLUDED.candles`,
    [assetIds],
  );
  return r.rowCount;
}

/** Of these assets, the one whose newest candle (any interval) is oldest: that candle's time. */
export async function oldestNewestCandle(q: Queryable, assetIds: readonly string[]): Promise<Date | null> {
  const r = await q.query<{ t: Date | null }>(
    `SELECT min(newest) AS t FROM (SELECT max(last_ts) AS newest FROM candle_series
      WHERE asset_id = ANY($1::uuid[]) GROUP BY asset_id) x`,
    [assetIds],
  );
  return r.rows[0].t;
}

/** Every recorded series of an interval, with its asset's symbol. */
export async function seriesOfInterval(
  q: Queryable,
  interval: Interval,
): Promise<(SeriesBounds & { asset_id: string; symbol: string })[]> {
  const r = await q.query<SeriesBounds & { asset_id: string; symbol: string }>(
    `SELECT s.asset_id, a.symbol, s.first_ts, s.last_ts, s.candles
       FROM candle_series s JOIN assets a ON a.id = s.asset_id WHERE s."interval" = $1`,
    [interval],
  );
  return r.rows;
}

/**
 * Reads the newest rows before `anchor` through growing windows: `span` ms first, then four times as
 * much each time, until `enough` says so or the window reaches the series' first candle. Each read has
 * a constant lower bound, so the planner excludes every chunk before it; the first window is sized to
 * hold what is asked (gaps such as weekends make a second one rare).
 */
export async function readBackwards<T>(
  first: Date,
  anchor: Date,
  span: number,
  enough: (rows: T[]) => boolean,
  read: (lower: Date) => Promise<T[]>,
): Promise<{ rows: T[]; reachedFirst: boolean }> {
  for (let width = span; ; width *= 4) {
    const lower = new Date(Math.max(first.getTime(), anchor.getTime() - width));
    const rows = await read(lower);
    const reachedFirst = lower.getTime() <= first.getTime();
    if (reachedFirst || enough(rows)) return { rows, reachedFirst };
  }
}

/** Series sorted newest first, cut where the next newest candle is more than `gap` older. */
export function groupByRecency<T extends { last_ts: Date }>(series: T[], gap: number): T[][] {
  const sorted = [...series].sort((a, b) => b.last_ts.getTime() - a.last_ts.getTime());
  const groups: T[][] = [];
  for (const s of sorted) {
    const g = groups.at(-1);
    if (g && g[g.length - 1].last_ts.getTime() - s.last_ts.getTime() <= gap) g.push(s);
    else groups.push([s]);
  }
  return groups;
}

/**
 * Taking series locks declares the transaction a tm writer: it records what it writes with
 * recordCandleWrites before it commits (one statement, series in key order), so the triggers of
 * migration 0012, which record plain SQL's writes, leave its statements alone (`tm.series_recorded`,
 * transaction-local: it ends with COMMIT/ROLLBACK, also through a transaction-pooling proxy).
 */
const RECORDED = "set_config('tm.series_recorded', 'on', true)";

/**
 * The transaction-level advisory lock of a series. Writers that need to know nothing else writes a series
 * meanwhile take it: the import's direct COPY (pg_try_advisory_xact_lock, giving way when it is taken) and its
 * merge batches (waiting, in key order). Transaction-level, so it works through a transaction-pooling proxy and
 * ends with COMMIT/ROLLBACK. Series share 1,024 locks (a hash bucket each) in a key space of their own: an import
 * of 10,000 symbols holds at most 1,024 locks, within the server's shared lock table (max_locks_per_transaction ×
 * max_connections); two imports of different series in one bucket wait for each other, which is only slower.
 */
const SERIES_LOCKS = 1_953_066_801; // "tmS1": the first key of the two-key form
const seriesBucket = (asset: string, interval: string) => `(hashtext(${asset}::text || '/' || ${interval}) & 1023)`;

/** Tries the locks of these series; answers the assets whose lock it got (the others are held elsewhere). */
export async function tryLockSeries(
  q: Queryable,
  assetIds: readonly string[],
  interval: Interval,
): Promise<Set<string>> {
  const r = await q.query<{ a: string }>(
    `SELECT a FROM unnest($1::uuid[]) AS a, ${RECORDED} AS r
      WHERE pg_try_advisory_xact_lock(${SERIES_LOCKS}, ${seriesBucket('a', '$2::text')})`,
    [assetIds, interval],
  );
  return new Set(r.rows.map((x) => x.a));
}

/** Waits for the locks of these series, in key order (two writers then cannot deadlock on them). */
export async function lockSeries(q: Queryable, assetIds: readonly string[], interval: Interval): Promise<void> {
  if (assetIds.length === 0) return;
  await q.query(
    `SELECT pg_advisory_xact_lock(${SERIES_LOCKS}, k), ${RECORDED} FROM (
       SELECT DISTINCT ${seriesBucket('a', '$2::text')} AS k FROM unnest($1::uuid[]) AS a ORDER BY k OFFSET 0) x`,
    [assetIds, interval],
  );
}

/** The newest recorded candle time of these series (absent: none recorded). */
export async function seriesLastTs(
  q: Queryable,
  assetIds: readonly string[],
  interval: Interval,
): Promise<Map<string, Date>> {
  const r = await q.query<{ asset_id: string; last_ts: Date }>(
    `SELECT asset_id, last_ts FROM candle_series WHERE asset_id = ANY($1::uuid[]) AND "interval" = $2`,
    [assetIds, interval],
  );
  return new Map(r.rows.map((x) => [x.asset_id, x.last_ts]));
}

/** The newest candle time of any series (null: no candles): how fresh the data is, for the app's live status. */
export async function newestCandleTs(q: Queryable): Promise<Date | null> {
  const r = await q.query<{ ts: Date | null }>('SELECT max(last_ts) AS ts FROM candle_series');
  return r.rows[0]?.ts ?? null;
}
