/**
 * What has been synced per (source, interval): covered ranges (sync_coverage, merged as pages
 * commit) and the state row (last candle, last success, last error, consecutive failures).
 */
import type { Queryable } from '../db/types.ts';
import type { Interval } from '../intervals.ts';

export interface Range {
  from: number;
  to: number;
}

export async function coveredRanges(
  q: Queryable,
  sourceId: string,
  interval: Interval,
  from: number,
  to: number,
): Promise<Range[]> {
  const r = await q.query<{ f: Date; t: Date }>(
    `SELECT from_ts AS f, to_ts AS t FROM sync_coverage
     WHERE source_id = $1 AND "interval" = $2 AND from_ts < $4 AND to_ts > $3 ORDER BY from_ts`,
    [sourceId, interval, new Date(from), new Date(to)],
  );
  return r.rows.map((x) => ({ from: x.f.getTime(), to: x.t.getTime() }));
}

/** The parts of [from, to) not covered yet, oldest first. */
export function holes(covered: Range[], from: number, to: number): Range[] {
  const out: Range[] = [];
  let at = from;
  for (const c of covered) {
    if (c.from > at) out.push({ from: at, to: Math.min(c.from, to) });
    at = Math.max(at, c.to);
    if (at >= to) break;
  }
  if (at < to) out.push({ from: at, to });
  return out;
}

/** Marks [from, to) covered, merging it with the ranges it touches (one row per contiguous run). */
export async function addCoverage(
  q: Queryable,
  sourceId: string,
  interval: Interval,
  from: number,
  to: number,
): Promise<void> {
  if (to <= from) return;
  await q.query(
    `WITH gone AS (
       DELETE FROM sync_coverage WHERE source_id = $1 AND "interval" = $2 AND from_ts <= $4 AND to_ts >= $3
       RETURNING from_ts, to_ts)
     INSERT INTO sync_coverage (source_id, "interval", from_ts, to_ts)
     SELECT $1, $2, least($3::timestamptz, min(from_ts)), greatest($4::timestamptz, max(to_ts)) FROM gone`,
    [sourceId, interval, new Date(from), new Date(to)],
  );
}

/** The end of the coverage run that reaches furthest (where live sync continues), or null. */
export async function coverageEnd(q: Queryable, sourceId: string, interval: Interval): Promise<number | null> {
  const r = await q.query<{ t: Date | null }>(
    `SELECT max(to_ts) AS t FROM sync_coverage WHERE source_id = $1 AND "interval" = $2`,
    [sourceId, interval],
  );
  return r.rows[0]?.t ? r.rows[0].t.getTime() : null;
}

export async function recordSuccess(
  q: Queryable,
  sourceId: string,
  interval: Interval,
  lastCandle: number | null,
): Promise<void> {
  await q.query(
    `INSERT INTO sync_state (source_id, "interval", last_candle_ts, last_success_at, last_attempt_at, failures)
     VALUES ($1, $2, $3, now(), now(), 0)
     ON CONFLICT (source_id, "interval") DO UPDATE SET
       last_candle_ts = greatest(sync_state.last_candle_ts, EXCLUDED.last_candle_ts),
       last_success_at = now(), last_attempt_at = now(), last_error = NULL, failures = 0`,
    [sourceId, interval, lastCandle === null ? null : new Date(lastCandle)],
  );
}

/** The state after a failure: `failures` is the count in a row, this one included. */
export interface FailureState {
  failures: number;
  failed_at: Date;
  last_success_at: Date | null;
  last_candle: Date | null;
}

export async function recordFailure(
  q: Queryable,
  sourceId: string,
  interval: Interval,
  error: string,
): Promise<FailureState> {
  const r = await q.query<FailureState>(
    `INSERT INTO sync_state (source_id, "interval", last_attempt_at, last_error, failures)
     VALUES ($1, $2, now(), $3, 1)
     ON CONFLICT (source_id, "interval") DO UPDATE SET
       last_attempt_at = now(), last_error = EXCLUDED.last_error, failures = sync_state.failures + 1
     RETURNING failures, last_attempt_at AS failed_at, last_success_at, last_candle_ts AS last_candle`,
    [sourceId, interval, error.slice(0, 1000)],
  );
  return r.rows[0];
}

export interface StatusRow {
  source_id: string;
  asset: string;
  provider: string;
  market: string;
  interval: Interval;
  last_candle: Date | null;
  last_success_at: Date | null;
  last_attempt_at: Date | null;
  last_error: string | null;
  failures: number;
  gaps: number;
  covered_from: Date | null;
  covered_to: Date | null;
}

/** One row per (source, interval) linked, synced or not. */
export async function statusRows(q: Queryable): Promise<StatusRow[]> {
  const r = await q.query<StatusRow>(
    `SELECT s.id::text AS source_id, a.symbol || coalesce(':' || a.exchange, '') AS asset, s.provider, s.market,
            i::text AS "interval", st.last_candle_ts AS last_candle, st.last_success_at, st.last_attempt_at,
            st.last_error, coalesce(st.failures, 0) AS failures,
            (SELECT count(*)::int FROM sync_gaps g WHERE g.source_id = s.id AND g."interval" = i) AS gaps,
            (SELECT min(from_ts) FROM sync_coverage c WHERE c.source_id = s.id AND c."interval" = i) AS covered_from,
            (SELECT max(to_ts) FROM sync_coverage c WHERE c.source_id = s.id AND c."interval" = i) AS covered_to
       FROM sync_sources s JOIN assets a ON a.id = s.asset_id
       CROSS JOIN LATERAL unnest(s.intervals) AS i
       LEFT JOIN sync_state st ON st.source_id = s.id AND st."interval" = i
      ORDER BY a.symbol, s.provider, i`,
  );
  return r.rows;
}
