/**
 * Where incremental computation stands: per series, the last bar computed and when, read against
 * the candle write log (candle_writes, appended by the candles repository) to see which bars changed.
 */
import type { Queryable } from '../db/types.ts';
import type { Interval } from '../market/intervals.ts';

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
 * The earliest bar that must be (re)computed: the first after computed_through, or earlier when
 * candles at or before it were written since the last computation. null = from the start.
 * The times are compared in SQL: microseconds matter (a write in the same millisecond counts).
 */
export async function recomputeFrom(q: Queryable, k: SeriesKey, state: SeriesState): Promise<Date | null> {
  if (!state.computed_through) return null;
  const r = await q.query<{ from_ts: Date | null }>(
    `SELECT min(w.from_ts) AS from_ts
     FROM candle_writes w
     JOIN analysis_series s ON s.asset_id = w.asset_id AND s.timeframe = w."interval" AND s.kind = $3 AND s.name = $4
     WHERE w.asset_id = $1 AND w."interval" = $2 AND w.written_at > s.computed_at AND w.from_ts <= s.computed_through`,
    [k.assetId, k.timeframe, k.kind, k.name],
  );
  const changed = r.rows[0]?.from_ts ?? null;
  // Strictly after computed_through unless something at or before it changed.
  return changed ?? new Date(state.computed_through.getTime() + 1);
}

/** computedAt is dbNow()'s text, so the database keeps its microseconds. */
export async function saveSeriesState(q: Queryable, k: SeriesKey, computedThrough: Date | null, computedAt: string): Promise<void> {
  await q.query(
    `INSERT INTO analysis_series (asset_id, timeframe, kind, name, computed_through, computed_at)
     VALUES ($1, $2, $3, $4, $5, $6::timestamptz)
     ON CONFLICT (asset_id, timeframe, kind, name)
     DO UPDATE SET computed_through = EXCLUDED.computed_through, computed_at = EXCLUDED.computed_at`,
    [k.assetId, k.timeframe, k.kind, k.name, computedThrough, computedAt],
  );
}

/** The database's clock as text (microseconds kept), read before computing: writes after it count next time. */
export async function dbNow(q: Queryable): Promise<string> {
  const r = await q.query<{ now: string }>('SELECT clock_timestamp()::text AS now');
  return r.rows[0].now;
}

/** Drops write-log rows every series of their asset and interval has computed past. */
export async function pruneCandleWrites(q: Queryable): Promise<number> {
  const r = await q.query(
    `DELETE FROM candle_writes w
     WHERE NOT EXISTS (
       SELECT 1 FROM analysis_series s
       WHERE s.asset_id = w.asset_id AND s.timeframe = w."interval" AND s.computed_at < w.written_at)`,
  );
  return r.rowCount;
}
