/**
 * The candle import pipeline, shared by `tm import candles`, POST /api/candles and the demo seeder.
 *
 * 0. Direct path: rows that cannot conflict go straight into candles with a binary COPY in one
 *    transaction; at the first row that could, it rolls back and hands over to steps 1-4: direct.ts.
 * 1. Read + validate (streaming), COPY valid rows into a TEMP staging table: stage.ts.
 * 2. Whole-input checks in SQL on the staging table: unknown symbols, duplicates inside the input,
 *    and (for --on-conflict error) candles already stored: checks.ts.
 * 3. Default mode: any error so far rejects the whole input, nothing has been written to candles.
 *    --skip-invalid: bad rows go to the rejects sink and are dropped from staging: checks.ts, rejects.ts.
 * 4. Merge: new assets committed first, then the candles in committed batches: merge.ts.
 * The staging tables' SQL is staging.ts; the merge's INSERT is the candles repository's.
 */
import { randomBytes } from 'node:crypto';
import type { Database } from '../../db/types.ts';
import { parseSymbolRef } from '../assets-repository.ts';
import { checkStaged, resolveStagedSymbols } from './checks.ts';
import { importDirect } from './direct.ts';
import { createAssets, mergeBatches } from './merge.ts';
import { Rejects } from './rejects.ts';
import { stageInput } from './stage.ts';
import { Staging } from './staging.ts';
import { CLI_HINTS, type ImportOptions, type ImportSummary } from './types.ts';
import type { RawCandle } from './validate.ts';

export { ImportRejectedError, MAX_LISTED_ERRORS } from './rejects.ts';
export type { ImportHints, ImportOptions, ImportSummary, Progress, Reject, WrittenRange } from './types.ts';

export async function importCandles(
  db: Database,
  source: AsyncIterable<RawCandle>,
  opts: ImportOptions,
): Promise<ImportSummary> {
  const started = performance.now();
  const hints = opts.hints ?? CLI_HINTS;
  const defaultSymbol = opts.symbol?.trim().toUpperCase() || undefined;
  if (defaultSymbol) parseSymbolRef(defaultSymbol); // a bad --symbol is a usage problem, say so before reading
  const rejects = new Rejects(opts);

  return db.session(async (s) => {
    let input = source;
    let resume: Parameters<typeof stageInput>[5];
    if (opts.direct !== false) {
      const d = await importDirect(s, source, opts, defaultSymbol, rejects);
      if (d.kind === 'done') {
        if (db.backend === 'embedded' && d.inserted > 0) await s.exec('CHECKPOINT');
        return {
          interval: opts.interval,
          rows_read: d.rowsRead,
          inserted: d.inserted,
          updated: 0,
          skipped: 0,
          rejected: rejects.rejected,
          seconds: Math.round((performance.now() - started) / 10) / 100,
          created_assets: [],
          path: 'direct',
          written: d.written,
        };
      }
      input = d.rest;
      resume = d;
    }
    const st = new Staging(s, randomBytes(6).toString('hex'));
    await st.create();
    try {
      const { rowsRead, staged } = await stageInput(st, input, opts, defaultSymbol, rejects, resume);
      const { ids, toCreate, unknown } = await resolveStagedSymbols(s, st, opts, hints);
      await checkStaged(st, opts, unknown.length, rejects, hints);
      // Accepted: from here on the import writes.
      const created =
        opts.createAssetType && toCreate.length > 0 && (await st.countRange(0, staged)) > 0 ? toCreate : [];
      if (opts.createAssetType) await createAssets(s, st, ids, created, opts.createAssetType);
      const merged = await mergeBatches(s, st, ids, staged, opts);
      if (db.backend === 'embedded' && merged.valid > 0) await s.exec('CHECKPOINT'); // PGlite never checkpoints by itself
      return {
        interval: opts.interval,
        rows_read: rowsRead,
        inserted: merged.inserted,
        updated: merged.updated,
        skipped: merged.valid - merged.inserted - merged.updated,
        rejected: rejects.rejected,
        seconds: Math.round((performance.now() - started) / 10) / 100,
        created_assets: created,
        path: 'staged',
        written: merged.written,
      };
    } finally {
      await st.drop().catch(() => undefined);
      await resume?.spool.close();
    }
  });
}
