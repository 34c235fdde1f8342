/** SQL for the signals table. */
import type { Queryable } from '../db/types.ts';
import type { Interval } from '../intervals.ts';

export type SignalType = 'buy' | 'sell' | 'hold' | 'strong_buy' | 'strong_sell';

export interface SignalRow {
  asset_id: string;
  ts: Date;
  signal_type: SignalType;
  strength: number;
  confidence: number;
  price: number;
  target_price: number | null;
  stop_loss: number | null;
  strategy: string;
  rationale: string;
  indicators_used: Record<string, unknown>;
  timeframe: Interval;
  expires_at: Date | null;
  /** Set on signals of a user's strategy (docs/analysis.md): whose, which strategy and version. */
  user_id?: string | null;
  strategy_id?: string | null;
  strategy_version?: number | null;
}

const BATCH = 2000;
const finite = (v: number | null) => (v === null || !Number.isFinite(v) ? null : v);

/** Inserts new signals; one per (asset, strategy, timeframe, ts), so reruns add nothing. */
export async function insertSignals(q: Queryable, rows: SignalRow[]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += BATCH) {
    const b = rows.slice(i, i + BATCH);
    const r = await q.query(
      `INSERT INTO signals (asset_id, ts, signal_type, strength, confidence, price, target_price, stop_loss, strategy, rationale, indicators_used, timeframe, expires_at, is_active,
                           user_id, strategy_id, strategy_version)
       SELECT u.asset_id, u.ts, u.signal_type::signal_type, u.strength, u.confidence, u.price, u.target_price, u.stop_loss,
              u.strategy, u.rationale, u.indicators_used, u.timeframe::candle_interval, u.expires_at,
              (u.expires_at IS NULL OR u.expires_at > now()), u.user_id, u.strategy_id, u.strategy_version
       -- enums as text[], cast here: the embedded driver only serializes array types it knew at open
       FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[],
                   $9::text[], $10::text[], $11::jsonb[], $12::text[], $13::timestamptz[], $14::uuid[], $15::uuid[], $16::int[])
         AS u(asset_id, ts, signal_type, strength, confidence, price, target_price, stop_loss, strategy, rationale, indicators_used, timeframe, expires_at,
              user_id, strategy_id, strategy_version)
       ON CONFLICT (asset_id, strategy, timeframe, ts) DO NOTHING`,
      [
        b.map((x) => x.asset_id),
        b.map((x) => x.ts.toISOString()),
        b.map((x) => x.signal_type),
        b.map((x) => x.strength),
        b.map((x) => x.confidence),
        b.map((x) => x.price),
        b.map((x) => finite(x.target_price)),
        b.map((x) => finite(x.stop_loss)),
        b.map((x) => x.strategy),
        b.map((x) => x.rationale),
        b.map((x) => JSON.stringify(x.indicators_used)),
        b.map((x) => x.timeframe),
        b.map((x) => x.expires_at?.toISOString() ?? null),
        b.map((x) => x.user_id ?? null),
        b.map((x) => x.strategy_id ?? null),
        b.map((x) => x.strategy_version ?? null),
      ],
    );
    inserted += r.rowCount;
  }
  return inserted;
}

/** Signals of a series from a point on, dropped when their candles changed (they are regenerated). */
export async function deleteSignalsFrom(
  q: Queryable,
  assetId: string,
  strategy: string,
  timeframe: Interval,
  from: Date,
): Promise<number> {
  const r = await q.query('DELETE FROM signals WHERE asset_id = $1 AND strategy = $2 AND timeframe = $3 AND ts >= $4', [
    assetId,
    strategy,
    timeframe,
    from,
  ]);
  return r.rowCount;
}

/**
 * Signals a user's strategy stored under this name with another strategy or version: a new version
 * replaces the series (its signals are generated again from the start), so one history never mixes two.
 */
export async function deleteOtherVersions(
  q: Queryable,
  assetId: string,
  strategy: string,
  timeframe: Interval,
  keep: { strategyId: string; version: number },
): Promise<number> {
  const r = await q.query(
    `DELETE FROM signals WHERE asset_id = $1 AND strategy = $2 AND timeframe = $3
       AND (strategy_id IS DISTINCT FROM $4 OR strategy_version IS DISTINCT FROM $5)`,
    [assetId, strategy, timeframe, keep.strategyId, keep.version],
  );
  return r.rowCount;
}

/** Only the newest signal of a strategy on an asset and timeframe stays active. */
export async function deactivateSuperseded(
  q: Queryable,
  assetId: string,
  strategy: string,
  timeframe: Interval,
): Promise<number> {
  // Settles the whole series, not just the older rows: after a recompute removed the newest signal,
  // the one before it becomes the newest and is active again unless it has expired.
  const r = await q.query<{ active: boolean }>(
    `UPDATE signals s SET is_active = v.active
     FROM (SELECT id, ts = max(ts) OVER () AND (expires_at IS NULL OR expires_at > now()) AS active
           FROM signals WHERE asset_id = $1 AND strategy = $2 AND timeframe = $3) v
     WHERE s.id = v.id AND s.is_active IS DISTINCT FROM v.active
     RETURNING v.active`,
    [assetId, strategy, timeframe],
  );
  return r.rows.filter((x) => !x.active).length;
}

/** The expiry job: deactivates signals whose expires_at has passed. */
export async function expireSignals(q: Queryable, now?: Date): Promise<number> {
  const r = await q.query(
    'UPDATE signals SET is_active = false WHERE is_active AND expires_at <= coalesce($1::timestamptz, now())',
    [now ?? null],
  );
  return r.rowCount;
}

export interface SignalQuery {
  assetId?: string;
  strategy?: string;
  timeframe?: Interval;
  active?: boolean;
  /**
   * Whose strategies' signals are shown besides the built-in ones: a user id, 'all' (the CLI, which acts
   * on the database directly), or null/undefined for the built-in ones only.
   */
  viewer?: string | 'all' | null;
  limit: number;
  offset: number;
}

export interface StoredSignal extends SignalRow {
  id: number;
  symbol: string;
  is_active: boolean;
  generated_at: Date;
}

export async function listSignals(q: Queryable, f: SignalQuery): Promise<{ items: StoredSignal[]; total: number }> {
  const where = [
    '($1::uuid IS NULL OR s.asset_id = $1)',
    '($2::text IS NULL OR s.strategy = $2)',
    '($3::candle_interval IS NULL OR s.timeframe = $3)',
    '($4::boolean IS NULL OR s.is_active = $4)',
    "(s.user_id IS NULL OR $5::text = 'all' OR s.user_id::text = $5::text)",
  ].join(' AND ');
  const params = [f.assetId ?? null, f.strategy ?? null, f.timeframe ?? null, f.active ?? null, f.viewer ?? null];
  const total = await q.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM signals s WHERE ${where}`, params);
  const r = await q.query<StoredSignal>(
    `SELECT s.id, s.asset_id, a.symbol, s.ts, s.signal_type, s.strength, s.confidence, s.price, s.target_price, s.stop_loss,
            s.strategy, s.strategy_version, s.rationale, s.indicators_used, s.timeframe, s.is_active, s.generated_at, s.expires_at
     FROM signals s JOIN assets a ON a.id = s.asset_id
     WHERE ${where} ORDER BY s.ts DESC, a.symbol, s.strategy LIMIT $6 OFFSET $7`,
    [...params, f.limit, f.offset],
  );
  return { items: r.rows, total: total.rows[0].n };
}
