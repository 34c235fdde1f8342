/**
 * The first pass's series: which series of the input it may write, claimed a batch at a time (claim), and
 * the per-asset sums of what its upserts wrote (addRange). See direct.ts.
 */
import type { Queryable } from '../../db/types.ts';
import { ensureAssets, resolveSymbols } from '../assets-repository.ts';
import type { MergedRange } from '../candles-repository.ts';
import { seriesLastTs, tryLockSeries } from '../candle-series.ts';
import { uuidBytes } from './binary-copy.ts';
import type { ImportOptions } from './types.ts';

export interface Series {
  id: string;
  bytes: Buffer;
  symbol: string;
  /** The newest stored candle's time when the series was claimed (-Infinity: none). */
  stored: number;
  /** Newest time taken directly so far, or `stored` before the first row. */
  last: number;
  /** Oldest time taken directly (valid once rows > 0). */
  first: number;
  rows: number;
  /**
   * Oldest and newest time of the rows upserted. Each new one must lie outside [upFirst, upLast] (increasing
   * or decreasing time order), which proves no two of them share a time without remembering them all.
   */
  upFirst: number;
  upLast: number;
}

/** Why a reference has no series the direct way can write. */
export type Blocked = 'unknown' | 'held' | 'ambiguous';

/**
 * Claims the series of symbols seen for the first time, in a few statements for a whole batch: the
 * assets (created when unknown and `createAssetType` is set), their series locks (try: never wait), and
 * their newest recorded candles read under the lock. A reference that is unknown, ambiguous or whose
 * series another transaction holds maps to why.
 */
export async function claim(
  tx: Queryable,
  refs: string[],
  opts: ImportOptions,
  series: Map<string, Series | Blocked>,
  created: string[],
): Promise<void> {
  let ids = new Map<string, string>();
  let unknown: string[] = [];
  let ambiguous = false;
  try {
    ({ ids, unknown } = await resolveSymbols(tx, refs));
  } catch {
    ambiguous = true; // the staged path says which
  }
  if (opts.createAssetType && unknown.length) {
    const made = await ensureAssets(tx, unknown, opts.createAssetType);
    for (const [ref, id] of made) {
      ids.set(ref, id);
      created.push(ref);
    }
  }
  const assetIds = [...new Set(ids.values())];
  const locked = assetIds.length ? await tryLockSeries(tx, assetIds, opts.interval) : new Set<string>();
  const lastTs = locked.size ? await seriesLastTs(tx, [...locked], opts.interval) : new Map<string, Date>();
  const byAsset = new Map<string, Series>();
  for (const x of series.values()) if (typeof x !== 'string') byAsset.set(x.id, x);
  for (const ref of refs) {
    const id = ids.get(ref);
    if (!id || !locked.has(id)) {
      series.set(ref, ambiguous ? 'ambiguous' : id ? 'held' : 'unknown');
      continue;
    }
    let se = byAsset.get(id);
    if (!se) {
      const t = lastTs.get(id);
      const last = t ? t.getTime() : -Infinity;
      se = {
        id,
        bytes: uuidBytes(id),
        symbol: ref,
        stored: last,
        last,
        first: 0,
        rows: 0,
        upFirst: Infinity,
        upLast: -Infinity,
      };
      byAsset.set(id, se);
    }
    series.set(ref, se);
  }
}

export function addRange(byAsset: Map<string, MergedRange>, r: MergedRange): void {
  const p = byAsset.get(r.asset_id);
  byAsset.set(
    r.asset_id,
    p
      ? {
          asset_id: r.asset_id,
          from: new Date(Math.min(p.from.getTime(), r.from.getTime())),
          to: new Date(Math.max(p.to.getTime(), r.to.getTime())),
          inserted: p.inserted + r.inserted,
          updated: p.updated + r.updated,
        }
      : r,
  );
}
