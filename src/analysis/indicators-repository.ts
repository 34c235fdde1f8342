/** SQL for the indicators table. */
import type { Queryable } from '../db/types.ts';
import type { Interval } from '../intervals.ts';

export interface IndicatorRow {
  asset_id: string;
  ts: Date;
  indicator_type: string;
  name: string;
  value: number | null;
  value2: number | null;
  value3: number | null;
  parameters: Record<string, number>;
  timeframe: Interval;
}

/**
 * Rows per statement: arrays keep the bind-parameter count fixed whatever the batch size. Enums travel
 * as text[] and are cast in SQL: the embedded driver only serializes array types it knew at open.
 */
const BATCH = 5000;

const num = (v: number | null) => (v === null || !Number.isFinite(v) ? null : v);

/** Upserts by (asset_id, timeframe, name, ts); returns how many rows were written. */
export async function upsertIndicators(q: Queryable, rows: IndicatorRow[]): Promise<number> {
  let written = 0;
  for (let i = 0; i < rows.length; i += BATCH) {
    const b = rows.slice(i, i + BATCH);
    const r = await q.query(
      `INSERT INTO indicators (asset_id, ts, indicator_type, name, value, value2, value3, parameters, timeframe)
       SELECT u.asset_id, u.ts, u.indicator_type::indicator_type, u.name, u.value, u.value2, u.value3, u.parameters, u.timeframe::candle_interval
       FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::float8[], $6::float8[], $7::float8[], $8::jsonb[], $9::text[])
         AS u(asset_id, ts, indicator_type, name, value, value2, value3, parameters, timeframe)
       ON CONFLICT (asset_id, timeframe, name, ts) DO UPDATE
         SET value = EXCLUDED.value, value2 = EXCLUDED.value2, value3 = EXCLUDED.value3,
             parameters = EXCLUDED.parameters, computed_at = now()
         WHERE (indicators.value, indicators.value2, indicators.value3) IS DISTINCT FROM (EXCLUDED.value, EXCLUDED.value2, EXCLUDED.value3)`,
      [
        b.map((x) => x.asset_id),
        b.map((x) => x.ts.toISOString()),
        b.map((x) => x.indicator_type),
        b.map((x) => x.name),
        b.map((x) => num(x.value)),
        b.map((x) => num(x.value2)),
        b.map((x) => num(x.value3)),
        b.map((x) => JSON.stringify(x.parameters)),
        b.map((x) => x.timeframe),
      ],
    );
    written += r.rowCount;
  }
  return written;
}

/** Removes stored values from a point on (their candles changed or disappeared). */
export async function deleteIndicatorsFrom(
  q: Queryable,
  assetId: string,
  timeframe: Interval,
  name: string,
  from: Date,
): Promise<number> {
  const r = await q.query('DELETE FROM indicators WHERE asset_id = $1 AND timeframe = $2 AND name = $3 AND ts >= $4', [
    assetId,
    timeframe,
    name,
    from,
  ]);
  return r.rowCount;
}

export interface IndicatorQuery {
  assetId?: string;
  name?: string;
  type?: string;
  timeframe?: Interval;
  from?: Date;
  to?: Date;
  limit: number;
  offset: number;
}

export interface StoredIndicator extends IndicatorRow {
  id: number;
  symbol: string;
  computed_at: Date;
}

export async function listIndicators(
  q: Queryable,
  f: IndicatorQuery,
): Promise<{ items: StoredIndicator[]; total: number }> {
  const where = [
    '($1::uuid IS NULL OR i.asset_id = $1)',
    '($2::text IS NULL OR i.name = $2)',
    '($3::indicator_type IS NULL OR i.indicator_type = $3)',
    '($4::candle_interval IS NULL OR i.timeframe = $4)',
    '($5::timestamptz IS NULL OR i.ts >= $5)',
    '($6::timestamptz IS NULL OR i.ts < $6)',
  ].join(' AND ');
  const params = [f.assetId ?? null, f.name ?? null, f.type ?? null, f.timeframe ?? null, f.from ?? null, f.to ?? null];
  const total = await q.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM indicators i WHERE ${where}`, params);
  const r = await q.query<StoredIndicator>(
    `SELECT i.id, i.asset_id, a.symbol, i.ts, i.indicator_type, i.name, i.value, i.value2, i.value3, i.parameters, i.timeframe, i.computed_at
     FROM indicators i JOIN assets a ON a.id = i.asset_id
     WHERE ${where} ORDER BY i.ts DESC, a.symbol, i.name LIMIT $7 OFFSET $8`,
    [...params, f.limit, f.offset],
  );
  return { items: r.rows, total: total.rows[0].n };
}
