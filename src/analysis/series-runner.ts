/**
 * The incremental-series skeleton stored indicators and signals share: per series (asset, timeframe,
 * kind, name) read only the bars after the last computed one plus the warm-up the computation needs,
 * or from the earliest candle written since at or before that point (then the stored rows from there
 * are replaced); compute; write the rows and the series' new position in one transaction.
 */
import type { Database, Queryable } from '../db/types.ts';
import { type CandleColumns, readCandleColumns } from '../market/candles-repository.ts';
import { recomputeFrom, saveSeriesState, seriesState, startPoint, type SeriesKey } from './series-state.ts';

export interface SeriesJob<R, W> {
  key: SeriesKey;
  /** Bars of history before the first new one that the computation needs. */
  warmup: number;
  /** The rows for the new bars (cols.start on), from the columns read (warm-up first); may read more (other intervals). */
  compute(cols: CandleColumns): R | Promise<R>;
  /**
   * Stores them inside the transaction that also saves the series' position; `replaceFrom` is set when
   * earlier results from that time on must be deleted first (candles there changed).
   */
  write(tx: Queryable, rows: R, replaceFrom: Date | null): Promise<W>;
}

export interface SeriesRun<R, W> {
  rows: R;
  written: W;
  /** Whether bars already computed were computed again (their candles changed). */
  recomputed: boolean;
  /** First and last bar computed, null when nothing was new. */
  from: Date | null;
  to: Date | null;
}

export async function runSeries<R, W>(db: Database, job: SeriesJob<R, W>): Promise<SeriesRun<R, W>> {
  const { assetId, timeframe } = job.key;
  // Before any read: candles written while we compute count as changes next time.
  const startedAt = await startPoint(db);
  const state = await seriesState(db, job.key);
  const from = await recomputeFrom(db, job.key, state);
  const recomputed = !!(from && state.computed_through && from.getTime() <= state.computed_through.getTime());
  const cols = await readCandleColumns(db, { assetId, interval: timeframe, from, warmup: job.warmup });
  const any = cols.ts.length > cols.start;
  const rows = await job.compute(cols);
  const last = any ? new Date(cols.ts[cols.ts.length - 1]) : state.computed_through;
  const written = await db.transaction(async (tx) => {
    const w = await job.write(tx, rows, recomputed ? from : null);
    await saveSeriesState(tx, job.key, last, startedAt);
    return w;
  });
  return {
    rows,
    written,
    recomputed,
    from: any ? new Date(cols.ts[cols.start]) : null,
    to: any ? new Date(cols.ts[cols.ts.length - 1]) : null,
  };
}
