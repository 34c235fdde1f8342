/**
 * The candle import pipeline, shared by `tm import candles`, POST /api/candles and the demo seeder.
 *
 * 0. First pass, one transaction: rows that cannot conflict go straight into candles with a binary COPY
 *    (new assets created in it), the others into staging, checked before it commits and merged after
 *    (finishFirstPass). What it cannot take (an invalid row, an unordered one) rolls it back and hands
 *    over to steps 1-4: direct.ts.
 * 1. Read + validate (streaming), COPY valid rows into a TEMP staging table: stage.ts.
 * 2. Whole-input checks in SQL on the staging table: unknown symbols, duplicates inside the input,
 *    and (for --on-conflict error) candles already stored: checks.ts.
 * 3. Default mode: any error so far rejects the whole input, nothing has been written to candles.
 *    --skip-invalid: bad rows go to the rejects sink and are dropped from staging: checks.ts, rejects.ts.
 * 4. Merge: new assets committed first, then the candles in committed batches: merge.ts.
 * The staging tables' SQL is staging.ts; the merge's INSERT is the candles repository's.
 */
import { randomBytes } from 'node:crypto';
import type { Database, Session } from '../../db/types.ts';
import { parseSymbolRef } from '../assets-repository.ts';
import { checkStaged, resolveStagedSymbols } from './checks.ts';
import { importDirect, type DirectOutcome } from './direct.ts';
import { combineWritten, createAssets, mergeBatches, type Merged } from './merge.ts';
import { Rejects } from './rejects.ts';
import { stageInput } from './stage.ts';
import { Staging } from './staging.ts';
import { CLI_HINTS, type ImportOptions, type ImportPart, type ImportSummary } from './types.ts';
import type { RawCandle } from './validate.ts';

export { ImportRejectedError, MAX_LISTED_ERRORS } from './rejects.ts';
export type {
  ImportHints,
  ImportOptions,
  ImportPart,
  ImportSummary,
  Progress,
  Reject,
  WrittenRange,
} from './types.ts';

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
    let resume: Extract<DirectOutcome, { kind: 'staged' }> | undefined;
    if (opts.direct !== false) {
      const d = await importDirect(s, source, opts, defaultSymbol, rejects);
      if (d.kind === 'done') return finishFirstPass(s, db.backend, d, opts, rejects, started);
      input = d.rest;
      resume = d;
    }
    const st = new Staging(s, randomBytes(6).toString('hex'));
    await st.create();
    try {
      const { rowsRead, staged, ordered } = await stageInput(st, input, opts, defaultSymbol, rejects, resume);
      const { ids, toCreate, unknown } = await resolveStagedSymbols(s, st, opts, hints);
      const mayRepeat = !ordered || new Set(ids.values()).size < ids.size; // two symbols, one asset
      await checkStaged(st, opts, unknown.length, rejects, hints, mayRepeat);
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
        parts: [
          {
            path: 'staged',
            rows: merged.valid,
            assets: new Set(ids.values()).size,
            why: resume ? resume.reason : 'the direct path is off',
          },
        ],
        written: merged.written,
      };
    } finally {
      await st.drop().catch(() => undefined);
      await resume?.spool.close();
    }
  });
}

/**
 * After the first pass committed (direct.ts): the rows it staged, if any, are merged in committed batches
 * (they were checked before the commit), and the summary tells which part took which path.
 */
async function finishFirstPass(
  s: Session,
  backend: Database['backend'],
  d: Extract<DirectOutcome, { kind: 'done' }>,
  opts: ImportOptions,
  rejects: Rejects,
  started: number,
): Promise<ImportSummary> {
  let merged: Merged | null = null;
  if (d.staged) {
    const st = new Staging(s, d.staged.suffix);
    try {
      merged = await mergeBatches(s, st, d.staged.ids, d.staged.staged, opts);
    } finally {
      await st.drop().catch(() => undefined);
    }
  }
  if (backend === 'embedded' && d.written.length + (merged?.valid ?? 0) > 0) await s.exec('CHECKPOINT');
  const parts: ImportPart[] = [];
  const up = d.upsert;
  if (d.inserted) parts.push({ path: 'direct', rows: d.inserted, assets: d.written.filter((w) => w.inserted).length });
  if (up) parts.push({ path: 'upsert', rows: up.rows, assets: up.assets, why: up.why });
  if (merged && d.staged)
    parts.push({ path: 'staged', rows: merged.valid, assets: new Set(d.staged.ids.values()).size, why: d.staged.why });
  const inserted = d.inserted + (up?.inserted ?? 0) + (merged?.inserted ?? 0);
  const updated = (up?.updated ?? 0) + (merged?.updated ?? 0);
  const valid = d.inserted + (up?.rows ?? 0) + (merged?.valid ?? 0);
  return {
    interval: opts.interval,
    rows_read: d.rowsRead,
    inserted,
    updated,
    skipped: valid - inserted - updated,
    rejected: rejects.rejected,
    seconds: Math.round((performance.now() - started) / 10) / 100,
    created_assets: d.created,
    path: d.inserted === valid ? 'direct' : d.inserted ? 'split' : 'staged',
    parts,
    written: merged ? combineWritten(d.written, merged.written) : d.written,
  };
}
