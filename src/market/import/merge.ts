/**
 * Step 4 of the import: the write. New assets are created first, each committed on its own, so no
 * candle transaction ever holds a lock on assets while it creates a chunk (which takes one too: the
 * deadlock of issue 13). Then INSERT ... SELECT FROM staging ... ON CONFLICT in batches of `mergeBatch`
 * rows, one transaction each, rows in unique-key order. A batch rolled back for a deadlock or a
 * serialization failure is run again (bounded). A crash leaves whole committed batches; rerunning
 * completes the import because the upsert is idempotent. Each batch first takes the import's series locks
 * (candle-series.ts), in key order. `onWritten` is called after each committed batch.
 */
import type { Session } from '../../db/types.ts';
import { retryTransient } from '../../db/retry.ts';
import { ensureAsset, parseSymbolRef, type AssetType } from '../assets-repository.ts';
import { mergeStaged, recordCandleWrites, type OnConflict } from '../candles-repository.ts';
import { lockSeries } from '../candle-series.ts';
import type { Staging } from './staging.ts';
import type { ImportOptions, WrittenRange } from './types.ts';

/** Creates the accepted import's new assets (in symbol order) and points staging at them. */
export async function createAssets(
  s: Session,
  st: Staging,
  ids: Map<string, string>,
  refs: readonly string[],
  type: AssetType,
): Promise<void> {
  for (const ref of [...refs].sort()) {
    const id = await retryTransient(() => ensureAsset(s, ref, type));
    await st.setAsset(ref, id);
    ids.set(ref, id);
  }
}

export interface Merged {
  /** Valid rows left in staging after the checks. */
  valid: number;
  inserted: number;
  updated: number;
  written: WrittenRange[];
}

export async function mergeBatches(
  s: Session,
  st: Staging,
  ids: Map<string, string>,
  staged: number,
  opts: ImportOptions,
): Promise<Merged> {
  const onConflict: OnConflict = opts.onConflict ?? 'update';
  const mergeBatch = opts.mergeBatch ?? 100_000;
  const totals = { inserted: 0, updated: 0 };
  const byAsset = new Map<string, WrittenRange>();
  const symbolOf = new Map<string, string>();
  for (const [sym, id] of ids) if (!symbolOf.has(id)) symbolOf.set(id, parseSymbolRef(sym).symbol);
  const total = await st.countRange(0, staged);
  const assetIds = [...new Set(ids.values())];
  let done = 0;
  for (let fromN = 0, i = 0; fromN < staged; fromN += mergeBatch, i++) {
    await opts.beforeMergeBatch?.(i);
    const toN = Math.min(staged, fromN + mergeBatch);
    const [ranges, n] = await retryTransient(() =>
      s.transaction(async (tx) => {
        // Waits for a direct COPY of these series to commit (direct.ts), so that one never meets our rows.
        await lockSeries(tx, assetIds, opts.interval);
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
      }),
    );
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
    }
    addWritten(byAsset, written);
    done += n;
    if (written.length) await opts.onWritten?.(written);
    opts.onProgress?.({ phase: 'write', rows: done, total });
  }
  return { ...totals, valid: total, written: [...byAsset.values()].sort((a, b) => a.symbol.localeCompare(b.symbol)) };
}

/** Adds ranges to a per-asset union: the widest range and the summed counts. */
export function addWritten(byAsset: Map<string, WrittenRange>, ranges: readonly WrittenRange[]): void {
  for (const w of ranges) {
    const p = byAsset.get(w.asset_id);
    byAsset.set(
      w.asset_id,
      p
        ? {
            ...p,
            // biome-ignore lint/complexity/useMathMinMax: ISO-8601 strings, compared as text
            from: p.from < w.from ? p.from : w.from,
            // biome-ignore lint/complexity/useMathMinMax: ISO-8601 strings, compared as text
            to: p.to > w.to ? p.to : w.to,
            inserted: p.inserted + w.inserted,
            updated: p.updated + w.updated,
          }
        : w,
    );
  }
}

/** Per asset, the union of what two passes wrote, in symbol order. */
export function combineWritten(...parts: (readonly WrittenRange[])[]): WrittenRange[] {
  const byAsset = new Map<string, WrittenRange>();
  for (const p of parts) addWritten(byAsset, p);
  return [...byAsset.values()].sort((a, b) => a.symbol.localeCompare(b.symbol));
}
