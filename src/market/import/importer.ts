/**
 * The candle import pipeline, shared by `tm import candles`, POST /api/candles and the demo seeder.
 *
 * 1. Read + validate (streaming): each row is checked in JS (validate.ts); valid rows are COPYed into
 *    a TEMP staging table in batches of `copyBatch` rows, so memory holds one batch whatever the input size.
 * 2. Whole-input checks in SQL on the staging table: unknown symbols, duplicates inside the input,
 *    and (for --on-conflict error) candles already stored.
 * 3. Default mode: any error so far rejects the whole input, nothing has been written to candles.
 *    --skip-invalid: bad rows go to the rejects sink and are dropped from staging.
 * 4. Merge: INSERT ... SELECT FROM staging ... ON CONFLICT in batches of `mergeBatch` rows, one
 *    transaction each. A crash leaves whole committed batches; rerunning completes the import because
 *    the upsert is idempotent. `onWritten` is called after each committed batch (the alerts hook).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Database, Queryable } from '../../db/types.ts';
import { UserError } from '../../errors.ts';
import type { Interval } from '../../intervals.ts';
import { resolveSymbols, parseSymbolRef, type AssetType } from '../assets-repository.ts';
import { Staging, mergeStaged, recordCandleWrites, type OnConflict, type StagedRow } from '../candles-repository.ts';
import {
  RULES,
  formatError,
  validateCandle,
  type RawCandle,
  type RowError,
  type Rule,
  type ValidCandle,
} from './validate.ts';

export interface ImportOptions {
  interval: Interval;
  onConflict?: OnConflict;
  /** Symbol for rows without one (files without a symbol column). */
  symbol?: string;
  /** Create unknown symbols as assets of this type; otherwise they are errors. */
  createAssetType?: AssetType;
  skipInvalid?: boolean;
  /** Receives each rejected row in --skip-invalid mode (the rejects file). */
  onReject?: (reject: Reject) => void | Promise<void>;
  /** Called after each committed merge batch with what it wrote: attach alerts or aggregate refreshes here. */
  onWritten?: (ranges: WrittenRange[]) => void | Promise<void>;
  onProgress?: (p: Progress) => void;
  /** How errors name positions: "line" for files, "item" for JSON arrays. */
  unit?: string;
  copyBatch?: number;
  mergeBatch?: number;
  /** Test hook: called before each merge batch (0-based); throwing simulates a crash mid-write. */
  beforeMergeBatch?: (index: number) => void | Promise<void>;
}

export interface Reject {
  line: number;
  rule: Rule;
  reason: string;
  /** The row as read (validation failures) or as staged (duplicates, unknown symbols, conflicts). */
  row: Record<string, unknown>;
}

export interface WrittenRange {
  asset_id: string;
  symbol: string;
  interval: Interval;
  from: string;
  to: string;
  inserted: number;
  updated: number;
}

export interface Progress {
  phase: 'read' | 'write';
  rows: number;
  /** write phase: rows to merge in total. */
  total?: number;
}

export interface ImportSummary {
  interval: Interval;
  rows_read: number;
  inserted: number;
  updated: number;
  /** Valid rows that changed nothing: identical to the stored candle, or kept by --on-conflict ignore. */
  skipped: number;
  rejected: number;
  seconds: number;
  created_assets: string[];
  /** Per asset: the range of timestamps written (inserted or updated) and the counts. */
  written: WrittenRange[];
}

export const MAX_LISTED_ERRORS = 20;

/** The input failed validation in the default mode: nothing was written. */
export class ImportRejectedError extends UserError {
  constructor(
    readonly errors: RowError[],
    readonly errorCount: number,
    unit: string,
  ) {
    const shown = errors.slice(0, MAX_LISTED_ERRORS);
    super(
      `input rejected, nothing written: ${errorCount} invalid row${errorCount === 1 ? '' : 's'}` +
        `${errorCount > shown.length ? ` (first ${shown.length} listed)` : ''}; fix them or pass --skip-invalid\n` +
        shown.map((e) => `  ${formatError(e, unit)}`).join('\n'),
      422,
      shown,
    );
    this.name = 'ImportRejectedError';
  }
}

/** Keeps the first errors in line order (JS and SQL checks find them in different orders). */
class ErrorList {
  list: RowError[] = [];
  count = 0;
  add(e: RowError): void {
    this.count++;
    this.list.push(e);
    if (this.list.length > MAX_LISTED_ERRORS * 4) this.trim();
  }
  trim(): RowError[] {
    this.list.sort((a, b) => a.line - b.line);
    this.list.length = Math.min(this.list.length, MAX_LISTED_ERRORS);
    return this.list;
  }
}

function stagedRow(r: StagedRow): Record<string, unknown> {
  return {
    symbol: r.symbol,
    ts: r.ts.toISOString(),
    open: r.open,
    high: r.high,
    low: r.low,
    close: r.close,
    volume: r.volume,
    trades: r.trades,
    vwap: r.vwap,
  };
}

export async function importCandles(
  db: Database,
  source: AsyncIterable<RawCandle>,
  opts: ImportOptions,
): Promise<ImportSummary> {
  const started = performance.now();
  const onConflict = opts.onConflict ?? 'update';
  const unit = opts.unit ?? 'line';
  const copyBatch = opts.copyBatch ?? 50_000;
  const mergeBatch = opts.mergeBatch ?? 100_000;
  const defaultSymbol = opts.symbol?.trim().toUpperCase() || undefined;
  if (defaultSymbol) parseSymbolRef(defaultSymbol); // a bad --symbol is a usage problem, say so before reading
  const errors = new ErrorList();
  let rejected = 0;
  const reject = async (rule: Rule, line: number, reason: string, row: Record<string, unknown>) => {
    rejected++;
    if (opts.skipInvalid) await opts.onReject?.({ line, rule, reason, row });
    else errors.add({ line, rule, message: reason });
  };

  return db.session(async (s) => {
    const st = new Staging(s, randomBytes(6).toString('hex'));
    await st.create();
    try {
      // 1. Read, validate, stage.
      let rowsRead = 0;
      let staged = 0;
      let batch: ValidCandle[] = [];
      // One COPY in flight while the next batch is parsed and validated (on a server they overlap;
      // memory holds at most two batches).
      let copying: Promise<void> = Promise.resolve();
      const flush = async () => {
        if (batch.length === 0) return;
        const [rows, firstN] = [batch, staged + 1];
        staged += rows.length;
        batch = [];
        await copying;
        copying = st.copy(rows, firstN);
        copying.catch(() => undefined); // awaited below; no unhandled rejection meanwhile
      };
      for await (const raw of source) {
        rowsRead++;
        const v = validateCandle(raw, opts.interval, defaultSymbol);
        if (!v.ok) {
          const { line: _line, badColumns: _b, ...row } = raw;
          await reject(v.error.rule, v.error.line, v.error.message, row);
          continue;
        }
        batch.push(v.candle);
        if (batch.length >= copyBatch) {
          await flush();
          opts.onProgress?.({ phase: 'read', rows: rowsRead });
        }
      }
      await flush();
      await copying;
      opts.onProgress?.({ phase: 'read', rows: rowsRead });
      await st.index();

      // 2. Symbols: resolve; the unknown ones are errors, or, when asked to create them, get a
      // placeholder id until the checks pass (a rejected import must not leave new assets behind).
      const symbols = await st.symbols();
      const { ids, unknown } = await resolveSymbols(s, symbols);
      const toCreate = opts.createAssetType ? unknown : [];
      for (const ref of toCreate) ids.set(ref, randomUUID());
      await st.mapAssets(ids);
      if (unknown.length && !opts.createAssetType && !opts.skipInvalid) {
        const n = await st.countUnknown();
        throw new UserError(
          `input rejected, nothing written: ${n} row${n === 1 ? '' : 's'} name unknown symbols: ${unknown.slice(0, 50).join(', ')}` +
            `${unknown.length > 50 ? ` and ${unknown.length - 50} more` : ''}. Add them with "tm assets add", or pass --asset-type to create them`,
          422,
          unknown.map((u) => ({ symbol: u, rule: 'unknown_symbol' })),
        );
      }

      // 3. Whole-input checks in SQL.
      const kinds: ('unknown' | 'duplicate' | 'conflict')[] = ['unknown', 'duplicate'];
      if (onConflict === 'error') kinds.push('conflict');
      for (const kind of kinds) {
        if (kind === 'unknown' && unknown.length === 0) continue;
        const n = await st.collectProblems(kind, opts.interval);
        if (n === 0) continue;
        let after = -1; // below every line: API items are numbered from 0
        while (true) {
          const page = await st.problems(after, opts.skipInvalid ? 10_000 : MAX_LISTED_ERRORS);
          if (page.length === 0) break;
          for (const r of page) {
            const reason =
              kind === 'duplicate'
                ? `${r.symbol} ${r.ts.toISOString()} already appears at ${unit} ${r.first_line}`
                : kind === 'unknown'
                  ? `${RULES.unknown_symbol}: ${r.symbol}`
                  : `${r.symbol} ${r.ts.toISOString()} is already stored`;
            await reject(kind === 'unknown' ? 'unknown_symbol' : kind, r.line, reason, stagedRow(r));
          }
          if (!opts.skipInvalid) {
            // Only the first errors are listed; the rest are counted.
            errors.count += n - page.length;
            rejected += n - page.length;
            break;
          }
          after = page[page.length - 1].line;
        }
        if (opts.skipInvalid) await st.dropProblems();
      }
      if (errors.count > 0) throw new ImportRejectedError(errors.trim(), errors.count, unit);

      // 4. Merge in committed batches.
      const totals = { inserted: 0, updated: 0, valid: 0 };
      const byAsset = new Map<string, WrittenRange>();
      const symbolOf = new Map<string, string>();
      const created: string[] = [];
      totals.valid = await st.countRange(0, staged);
      let done = 0;
      for (let fromN = 0, i = 0; fromN < staged; fromN += mergeBatch, i++) {
        await opts.beforeMergeBatch?.(i);
        const toN = Math.min(staged, fromN + mergeBatch);
        const [ranges, n] = await s.transaction(async (tx) => {
          // New assets commit with the first candles that need them.
          if (i === 0 && opts.createAssetType) {
            for (const ref of toCreate) {
              const id = await ensureAsset(tx, ref, opts.createAssetType);
              await st.setAsset(ref, id, tx);
              ids.set(ref, id);
            }
            created.push(...toCreate);
          }
          const merged = await mergeStaged(tx, st, opts.interval, onConflict, fromN, toN);
          // The write log commits with the candles it describes (indicators recompute from it).
          await recordCandleWrites(
            tx,
            merged.map((r) => ({
              asset_id: r.asset_id,
              interval: opts.interval,
              from_ts: r.from,
              to_ts: r.to,
              rows: r.inserted + r.updated,
              inserted: r.inserted,
            })),
          );
          return [merged, await st.countRange(fromN, toN, tx)] as const;
        });
        if (i === 0) for (const [sym, id] of ids) if (!symbolOf.has(id)) symbolOf.set(id, parseSymbolRef(sym).symbol);
        const written: WrittenRange[] = ranges.map((r) => ({
          asset_id: r.asset_id,
          symbol: symbolOf.get(r.asset_id) ?? '',
          interval: opts.interval,
          from: r.from.toISOString(),
          to: r.to.toISOString(),
          inserted: r.inserted,
          updated: r.updated,
        }));
        for (const w of written) {
          totals.inserted += w.inserted;
          totals.updated += w.updated;
          const prev = byAsset.get(w.asset_id);
          byAsset.set(
            w.asset_id,
            prev
              ? {
                  ...prev,
                  // biome-ignore lint/complexity/useMathMinMax: ISO-8601 strings, compared as text
                  from: prev.from < w.from ? prev.from : w.from,
                  // biome-ignore lint/complexity/useMathMinMax: ISO-8601 strings, compared as text
                  to: prev.to > w.to ? prev.to : w.to,
                  inserted: prev.inserted + w.inserted,
                  updated: prev.updated + w.updated,
                }
              : w,
          );
        }
        done += n;
        if (written.length) await opts.onWritten?.(written);
        opts.onProgress?.({ phase: 'write', rows: done, total: totals.valid });
      }
      if (db.backend === 'embedded' && totals.valid > 0) await s.exec('CHECKPOINT'); // PGlite never checkpoints by itself
      return {
        interval: opts.interval,
        rows_read: rowsRead,
        inserted: totals.inserted,
        updated: totals.updated,
        skipped: totals.valid - totals.inserted - totals.updated,
        rejected,
        seconds: Math.round((performance.now() - started) / 10) / 100,
        created_assets: created,
        written: [...byAsset.values()].sort((a, b) => a.symbol.localeCompare(b.symbol)),
      };
    } finally {
      await st.drop().catch(() => undefined);
    }
  });
}

/** Creates an asset for an unknown reference (name = symbol); a concurrent creator wins harmlessly. */
async function ensureAsset(q: Queryable, ref: string, type: AssetType): Promise<string> {
  const { symbol, exchange } = parseSymbolRef(ref);
  await q.query(
    `INSERT INTO assets (symbol, name, asset_type, exchange) VALUES ($1, $1, $2, $3)
     ON CONFLICT (symbol, (coalesce(exchange, ''))) DO NOTHING`,
    [symbol, type, exchange ?? null],
  );
  const r = await q.query<{ id: string }>(
    "SELECT id FROM assets WHERE symbol = $1 AND coalesce(exchange, '') = coalesce($2, '')",
    [symbol, exchange ?? null],
  );
  return r.rows[0].id;
}
