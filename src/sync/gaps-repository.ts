/**
 * The sync_gaps table: ranges a provider had no candle for (no trades, outages, history it no
 * longer serves). Never filled with invented candles; later syncs ask again and shrink them.
 */
import type { Queryable } from '../db/types.ts';
import type { Interval } from '../intervals.ts';

export const NO_CANDLE = 'no candle from the provider (no trades, or an outage)';
export const BEYOND_HISTORY = 'older than the provider serves';
export const NO_BARS = 'the provider answered no bars (market closed, or not published yet): asked again later';

export interface Gap {
  source_id: string;
  asset: string;
  provider: string;
  interval: Interval;
  from_ts: Date;
  to_ts: Date;
  reason: string;
  attempts: number;
  detected_at: Date;
  checked_at: Date;
}

/**
 * Replaces the gaps recorded inside [from, to) with what a fetch of that range found missing now:
 * gaps that got candles disappear, the rest count one more attempt.
 */
export async function replaceGaps(
  q: Queryable,
  sourceId: string,
  interval: Interval,
  range: { from: number; to: number },
  gaps: { from: number; to: number; reason: string }[],
): Promise<void> {
  const prev = await q.query<{ n: number | null }>(
    `WITH gone AS (DELETE FROM sync_gaps WHERE source_id = $1 AND "interval" = $2 AND from_ts >= $3 AND to_ts <= $4
                   RETURNING attempts)
     SELECT max(attempts) AS n FROM gone`,
    [sourceId, interval, new Date(range.from), new Date(range.to)],
  );
  if (gaps.length === 0) return;
  await q.query(
    `INSERT INTO sync_gaps (source_id, "interval", from_ts, to_ts, reason, attempts)
     SELECT $1, $2, f, t, r, $6 FROM unnest($3::timestamptz[], $4::timestamptz[], $5::text[]) AS u(f, t, r)
     ON CONFLICT (source_id, "interval", from_ts) DO UPDATE SET
       to_ts = EXCLUDED.to_ts, reason = EXCLUDED.reason, checked_at = now(), attempts = EXCLUDED.attempts`,
    [
      sourceId,
      interval,
      gaps.map((g) => new Date(g.from)),
      gaps.map((g) => new Date(g.to)),
      gaps.map((g) => g.reason),
      (prev.rows[0]?.n ?? 0) + 1,
    ],
  );
}

export async function listGaps(
  q: Queryable,
  opts: { sourceIds?: string[]; interval?: Interval; limit?: number } = {},
): Promise<Gap[]> {
  const r = await q.query<Gap>(
    `SELECT g.source_id::text AS source_id, a.symbol || coalesce(':' || a.exchange, '') AS asset, s.provider,
            g."interval"::text AS "interval", g.from_ts, g.to_ts, g.reason, g.attempts, g.detected_at, g.checked_at
       FROM sync_gaps g JOIN sync_sources s ON s.id = g.source_id JOIN assets a ON a.id = s.asset_id
      WHERE ($1::bigint[] IS NULL OR g.source_id = ANY($1)) AND ($2::text IS NULL OR g."interval"::text = $2)
      ORDER BY a.symbol, s.provider, g."interval", g.from_ts LIMIT $3`,
    [opts.sourceIds ?? null, opts.interval ?? null, opts.limit ?? 10_000],
  );
  return r.rows;
}

/**
 * Gaps worth asking about again: seen fewer than `maxAttempts` times, not checked in the last
 * `minAgeMs`, and not history the provider no longer serves (asking again cannot help there).
 */
export async function gapsToRetry(
  q: Queryable,
  sourceId: string,
  interval: Interval,
  maxAttempts: number,
  minAgeMs: number,
): Promise<{ from: number; to: number }[]> {
  const r = await q.query<{ f: Date; t: Date }>(
    `SELECT from_ts AS f, to_ts AS t FROM sync_gaps
      WHERE source_id = $1 AND "interval" = $2 AND attempts < $3 AND checked_at < now() - make_interval(secs => $4)
        AND reason <> $5
      ORDER BY from_ts LIMIT 20`,
    [sourceId, interval, maxAttempts, minAgeMs / 1000, BEYOND_HISTORY],
  );
  return r.rows.map((x) => ({ from: x.f.getTime(), to: x.t.getTime() }));
}
