/**
 * Each priced series' last close per UTC day (table daily_closes, migration 0026), for portfolio
 * performance: reading a plain table by its key costs the same whatever the history's length, where the
 * candles hypertable makes the planner visit every chunk of the range. A day without a candle holds the
 * close before it, so a series' days run without a gap from its first close to its last. The table is brought up to date
 * before each read, from the candle write log, the way stored indicators are (series-state.ts): each
 * series is an analysis_series of kind 'daily_close', its state the snapshot its last refresh started
 * from. A write that refresh did not see (a new bar, a correction, a deletion) recomputes the days from
 * the earliest one it touched; a series never refreshed, or whose candles were all removed, is rebuilt.
 */
import type { Database, Queryable } from '../db/types.ts';
import type { Interval } from '../intervals.ts';
import { startPoint, UNSEEN } from './series-state.ts';

export interface DailySeries {
  asset_id: string;
  interval: Interval;
}

/** "tmD1": the first key of the two-key advisory lock refreshes take, one at a time. */
const REFRESH_LOCK = 1_953_317_937;

interface Stale {
  asset_id: string;
  interval: Interval;
  /** Rebuild every day (never refreshed, or its candles were removed). */
  rebuild: boolean;
  /** The first candle time to read again: null when the series has no candles. */
  from_ts: Date | null;
  last_ts: Date | null;
}

/** The series with writes the last refresh did not see, and where to recompute them from. */
async function staleSeries(q: Queryable, series: readonly DailySeries[]): Promise<Stale[]> {
  const r = await q.query<Stale>(
    `SELECT x.asset_id, x.iv AS "interval", s.asset_id IS NULL OR cs.asset_id IS NULL AS rebuild,
       CASE WHEN s.asset_id IS NULL THEN cs.first_ts
            ELSE greatest(cs.first_ts, date_trunc('day', min(w.from_ts), 'UTC')) END AS from_ts,
       cs.last_ts
     FROM (SELECT DISTINCT asset_id, iv FROM unnest($1::uuid[], $2::text[]) AS u(asset_id, iv)) x
     LEFT JOIN analysis_series s ON s.asset_id = x.asset_id AND s.timeframe = x.iv::candle_interval
       AND s.kind = 'daily_close' AND s.name = 'close'
     LEFT JOIN candle_series cs ON cs.asset_id = x.asset_id AND cs."interval" = x.iv::candle_interval
     LEFT JOIN candle_writes w ON s.asset_id IS NOT NULL AND w.asset_id = x.asset_id
       AND w."interval" = x.iv::candle_interval AND ${UNSEEN}
     GROUP BY x.asset_id, x.iv, s.asset_id, cs.asset_id, cs.first_ts, cs.last_ts
     HAVING s.asset_id IS NULL OR cs.asset_id IS NULL OR count(w.id) > 0`,
    [series.map((s) => s.asset_id), series.map((s) => s.interval)],
  );
  return r.rows;
}

/** Brings the daily closes of these series up to date (one statement when nothing changed). */
export async function refreshDailyCloses(db: Database, series: readonly DailySeries[]): Promise<void> {
  if (series.length === 0) return;
  // Before any read: candles written while we read count as changes next time.
  const start = await startPoint(db);
  const stale = await staleSeries(db, series);
  if (stale.length === 0) return;
  const reread = stale.filter((s) => s.from_ts !== null);
  // One lower bound for the whole read, as a constant: the planner excludes the chunks before it.
  const since = reread.length ? new Date(Math.min(...reread.map((s) => (s.from_ts as Date).getTime()))) : null;
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1::int, 0)', [REFRESH_LOCK]);
    // A first build sorts every candle of its series by day: in memory rather than in temporary files.
    await tx.query(`SELECT set_config('work_mem', '64MB', true)`);
    await tx.query(
      `DELETE FROM daily_closes d USING unnest($1::uuid[], $2::text[], $3::boolean[], $4::timestamptz[]) AS u(asset_id, iv, rebuild, from_ts)
       WHERE d.asset_id = u.asset_id AND d."interval" = u.iv::candle_interval
         AND (u.rebuild OR d.day >= (u.from_ts AT TIME ZONE 'UTC')::date)`,
      [
        stale.map((s) => s.asset_id),
        stale.map((s) => s.interval),
        stale.map((s) => s.rebuild),
        stale.map((s) => s.from_ts),
      ],
    );
    if (since) {
      await tx.query(
        `WITH got AS (
           SELECT DISTINCT ON (c.asset_id, c."interval", (c.ts AT TIME ZONE 'UTC')::date)
             c.asset_id, c."interval", (c.ts AT TIME ZONE 'UTC')::date AS day, c.close
           FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS u(asset_id, iv, from_ts)
           JOIN candles c ON c.asset_id = u.asset_id AND c."interval" = u.iv::candle_interval AND c.ts >= u.from_ts
           WHERE c.ts >= $4::timestamptz
           ORDER BY c.asset_id, c."interval", (c.ts AT TIME ZONE 'UTC')::date, c.ts DESC
         ), pts AS (
           SELECT * FROM got
           UNION ALL
           SELECT u.asset_id, u.iv::candle_interval, b.day, b.close
           FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS u(asset_id, iv, from_ts)
           CROSS JOIN LATERAL (SELECT day, close FROM daily_closes d
             WHERE d.asset_id = u.asset_id AND d."interval" = u.iv::candle_interval AND d.day < (u.from_ts AT TIME ZONE 'UTC')::date
             ORDER BY day DESC LIMIT 1) b
         )
         INSERT INTO daily_closes (asset_id, "interval", day, close)
         SELECT p.asset_id, p."interval", g::date, p.close
         FROM (SELECT *, lead(day) OVER (PARTITION BY asset_id, "interval" ORDER BY day) AS next FROM pts) p
         CROSS JOIN LATERAL generate_series(p.day, coalesce(p.next - 1, p.day), interval '1 day') AS g
         ON CONFLICT (asset_id, "interval", day) DO UPDATE SET close = EXCLUDED.close`,
        [reread.map((s) => s.asset_id), reread.map((s) => s.interval), reread.map((s) => s.from_ts), since],
      );
    }
    await tx.query(
      `INSERT INTO analysis_series (asset_id, timeframe, kind, name, computed_through, computed_at, computed_snapshot)
       SELECT asset_id, iv::candle_interval, 'daily_close', 'close', last_ts, $4::timestamptz, $5::pg_snapshot
       FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS u(asset_id, iv, last_ts)
       ON CONFLICT (asset_id, timeframe, kind, name) DO UPDATE
         SET computed_through = EXCLUDED.computed_through, computed_at = EXCLUDED.computed_at,
             computed_snapshot = EXCLUDED.computed_snapshot`,
      [
        stale.map((s) => s.asset_id),
        stale.map((s) => s.interval),
        stale.map((s) => s.last_ts),
        start.at,
        start.snapshot,
      ],
    );
  });
}

/**
 * Brings every daily-close series up to date (tm serve, hourly, before pruning the write log): the writes
 * they had not seen are then seen and pruned, so the log does not grow while no one reads performance.
 * Deletes the rows of assets that no longer exist.
 */
export async function refreshAllDailyCloses(db: Database): Promise<number> {
  const r = await db.query<DailySeries>(
    `SELECT asset_id, timeframe::text AS "interval" FROM analysis_series WHERE kind = 'daily_close' ORDER BY 1, 2`,
  );
  await refreshDailyCloses(db, r.rows);
  // The table has no foreign key (migration 0026): the rows of assets removed since go here.
  await db.query(
    `DELETE FROM daily_closes d WHERE d.asset_id IN (
       SELECT DISTINCT asset_id FROM daily_closes EXCEPT SELECT id FROM assets)`,
  );
  return r.rows.length;
}
