/**
 * Where incremental computation stands: per series, the last bar computed and when, read against
 * the candle write log (candle_writes, appended by the candles repository) to see which bars changed.
 */
import type { Queryable } from '../db/types.ts';
import type { Interval } from '../intervals.ts';

export type SeriesKind = 'indicator' | 'signal';

export interface SeriesState {
  computed_through: Date | null;
  computed_at: Date | null;
}

export interface SeriesKey {
  assetId: string;
  timeframe: Interval;
  kind: SeriesKind;
  name: string;
}

export async function seriesState(q: Queryable, k: SeriesKey): Promise<SeriesState> {
  const r = await q.query<SeriesState>(
    'SELECT computed_through, computed_at FROM analysis_series WHERE asset_id = $1 AND timeframe = $2 AND kind = $3 AND name = $4',
    [k.assetId, k.timeframe, k.kind, k.name],
  );
  return r.rows[0] ?? { computed_through: null, computed_at: null };
}

/**
 * SQL: candle write `w` is a change series `s` has not computed yet. Written in a transaction not
 * visible in the snapshot the series' last computation started from (committed later, or still
 * running then); series computed before revision 0005 have no snapshot and compare clock times.
 */
export const UNSEEN = `(CASE WHEN s.computed_snapshot IS NULL THEN w.written_at > s.computed_at
                  ELSE NOT pg_visible_in_snapshot(w.xid, s.computed_snapshot) END)`;

/**
 * The earliest bar that must be (re)computed: the first after computed_through, or earlier when
 * candles at or before it were written since the last computation. null = from the start.
 */
export async function recomputeFrom(q: Queryable, k: SeriesKey, state: SeriesState): Promise<Date | null> {
  if (!state.computed_through) return null;
  const r = await q.query<{ from_ts: Date | null }>(
    `SELECT min(w.from_ts) AS from_ts
     FROM candle_writes w
     JOIN analysis_series s ON s.asset_id = w.asset_id AND s.timeframe = w."interval" AND s.kind = $3 AND s.name = $4
     WHERE w.asset_id = $1 AND w."interval" = $2 AND w.from_ts <= s.computed_through AND ${UNSEEN}`,
    [k.assetId, k.timeframe, k.kind, k.name],
  );
  const changed = r.rows[0]?.from_ts ?? null;
  // Strictly after computed_through unless something at or before it changed.
  return changed ?? new Date(state.computed_through.getTime() + 1);
}

/** Where a computation starts: the database's clock and snapshot, as text so nothing is rounded. */
export interface StartPoint {
  at: string;
  snapshot: string;
}

export async function saveSeriesState(
  q: Queryable,
  k: SeriesKey,
  computedThrough: Date | null,
  start: StartPoint,
): Promise<void> {
  await q.query(
    `INSERT INTO analysis_series (asset_id, timeframe, kind, name, computed_through, computed_at, computed_snapshot)
     VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7::pg_snapshot)
     ON CONFLICT (asset_id, timeframe, kind, name)
     DO UPDATE SET computed_through = EXCLUDED.computed_through, computed_at = EXCLUDED.computed_at,
                   computed_snapshot = EXCLUDED.computed_snapshot`,
    [k.assetId, k.timeframe, k.kind, k.name, computedThrough, start.at, start.snapshot],
  );
}

/**
 * Taken before reading any candle: every later read sees at least what this snapshot sees, so the
 * writes it does not see are exactly the ones to look at next time.
 */
export async function startPoint(q: Queryable): Promise<StartPoint> {
  const r = await q.query<StartPoint>('SELECT clock_timestamp()::text AS at, pg_current_snapshot()::text AS snapshot');
  return r.rows[0];
}

/** Drops write-log rows every series of their asset and interval has computed past. */
export async function pruneCandleWrites(q: Queryable): Promise<number> {
  const r = await q.query(
    `DELETE FROM candle_writes w
     WHERE NOT EXISTS (
       SELECT 1 FROM analysis_series s
       WHERE s.asset_id = w.asset_id AND s.timeframe = w."interval" AND ${UNSEEN})`,
  );
  return r.rowCount;
}
