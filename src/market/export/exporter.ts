/**
 * tm export candles: the stored candles of one asset and interval, read in keyset pages and written as
 * they come (CSV, JSON, Parquet, freqtrade's JSON or feather). The file is written under a temporary
 * name and renamed when complete: an export that fails leaves no half-written file behind.
 */
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Database } from '../../db/types.ts';
import { UserError } from '../../errors.ts';
import type { Interval } from '../../intervals.ts';
import { formatRef, getAsset } from '../assets-repository.ts';
import { refreshSeries, seriesBounds } from '../candle-series.ts';
import { readCandlePage } from '../candles-repository.ts';
import { countCandles } from '../queries.ts';
import { exportFileName, freqtradePair, isFreqtrade, type ExportFormat } from './layout.ts';
import { openWriter } from './writers.ts';

export const EXPORT_PAGE = 50_000;

export interface ExportOptions {
  symbol: string;
  interval: Interval;
  format: ExportFormat;
  /** The directory the file goes to (created when missing). */
  outDir: string;
  /** First open time (inclusive) and last (exclusive). */
  from?: Date;
  to?: Date;
  /** freqtrade formats: BASE/QUOTE when the symbol does not say it. */
  pair?: string;
  pageSize?: number;
  /** Called with the total before the first page (when wanted) and after each page. */
  onProgress?: (rows: number, total: number | null) => void;
  /** Count the candles first, for a progress bar's total (one more query). */
  countTotal?: boolean;
}

export interface ExportSummary {
  file: string;
  format: ExportFormat;
  asset: string;
  interval: Interval;
  pair: string | null;
  rows: number;
  bytes: number;
  first: string | null;
  last: string | null;
  seconds: number;
}

export async function exportCandles(db: Database, o: ExportOptions): Promise<ExportSummary> {
  const started = performance.now();
  if (o.from && o.to && o.from >= o.to) throw new UserError('--from must be before --to');
  const asset = await getAsset(db, o.symbol);
  const pair = isFreqtrade(o.format) ? freqtradePair(asset.symbol, o.pair) : null;
  let bounds = await seriesBounds(db, asset.id, o.interval);
  // Candles written with plain SQL have no recorded series yet: measure once.
  if (!bounds && (await refreshSeries(db, [asset.id])) > 0) bounds = await seriesBounds(db, asset.id, o.interval);
  if (!bounds) throw new UserError(`no ${o.interval} candles stored for ${formatRef(asset)}`);
  const file = path.join(o.outDir, exportFileName(o.format, asset, o.interval, pair ?? undefined));
  await mkdir(o.outDir, { recursive: true });
  const partial = `${file}.partial-${process.pid}`;
  const total = o.countTotal
    ? o.from || o.to
      ? await countCandles(db, {
          assetId: asset.id,
          interval: o.interval,
          from: o.from ?? null,
          // The export's end is exclusive, the count's inclusive; candle times are whole milliseconds.
          to: o.to ? new Date(o.to.getTime() - 1) : null,
        })
      : bounds.candles
    : null;
  o.onProgress?.(0, total);
  const writer = await openWriter(o.format, partial);
  let rows = 0;
  let first: number | null = null;
  let last: number | null = null;
  try {
    const limit = o.pageSize ?? EXPORT_PAGE;
    for (;;) {
      const page = await readCandlePage(db, {
        assetId: asset.id,
        interval: o.interval,
        after: last,
        from: o.from ?? null,
        to: o.to ?? null,
        limit,
      });
      if (page.length === 0) break;
      await writer.write(page);
      rows += page.length;
      first ??= page[0].t;
      last = page[page.length - 1].t;
      o.onProgress?.(rows, total);
      if (page.length < limit) break;
    }
    await writer.finish();
    await rename(partial, file);
  } catch (err) {
    await writer.finish().catch(() => undefined);
    await unlink(partial).catch(() => undefined);
    throw err;
  }
  return {
    file,
    format: o.format,
    asset: formatRef(asset),
    interval: o.interval,
    pair,
    rows,
    bytes: (await stat(file)).size,
    first: first === null ? null : new Date(first).toISOString(),
    last: last === null ? null : new Date(last).toISOString(),
    seconds: Math.round((performance.now() - started) / 10) / 100,
  };
}
