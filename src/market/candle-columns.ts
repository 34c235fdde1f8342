/**
 * Columnar reads of one asset's candles for analysis: Float64Arrays, plus the warm-up bars an
 * incremental computation needs before its first bar. (Candle SQL; merged into the candles
 * repository when that lands.)
 */
import type { Queryable } from '../db/types.ts';
import type { Interval } from './intervals.ts';

export interface CandleColumns {
  ts: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
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

export async function readCandleColumns(q: Queryable, r: ColumnRead): Promise<CandleColumns> {
  const to = r.to ?? null;
  let before: Bar[] = [];
  if (r.from && r.warmup > 0) {
    const limit = Number.isFinite(r.warmup) ? r.warmup : null;
    const res = await q.query<Bar>(
      `SELECT ${COLS} FROM candles WHERE asset_id = $1 AND "interval" = $2 AND ts < $3
       ORDER BY ts DESC LIMIT $4`,
      [r.assetId, r.interval, r.from, limit],
    );
    before = res.rows.reverse();
  }
  const after = await q.query<Bar>(
    `SELECT ${COLS} FROM candles WHERE asset_id = $1 AND "interval" = $2
       AND ($3::timestamptz IS NULL OR ts >= $3) AND ($4::timestamptz IS NULL OR ts <= $4)
     ORDER BY ts`,
    [r.assetId, r.interval, r.from, to],
  );
  const bars = before.concat(after.rows);
  const n = bars.length;
  const cols = { ts: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
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
