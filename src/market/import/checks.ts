/**
 * Steps 2 and 3 of the import: whole-input checks in SQL on the staging table (unknown symbols,
 * duplicates inside the input, and for onConflict "error" candles already stored). In the default
 * mode any problem rejects the whole input before anything is written; with skipInvalid the problem
 * rows go to the rejects sink and are dropped from staging.
 */
import type { Queryable } from '../../db/types.ts';
import { UserError } from '../../errors.ts';
import { resolveSymbols } from '../assets-repository.ts';
import type { StagedRow, Staging } from './staging.ts';
import { ImportRejectedError, MAX_LISTED_ERRORS, type Rejects } from './rejects.ts';
import type { ImportHints, ImportOptions } from './types.ts';

export interface Resolved {
  /** Staged symbol reference -> asset id (a placeholder for the ones to create). */
  ids: Map<string, string>;
  /** References with no asset yet that the import will create once it is accepted. */
  toCreate: string[];
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

/**
 * Step 2: resolves the staged symbols. Unknown ones are errors, or, when asked to create them, get a
 * placeholder id until the checks pass (a rejected import must not leave new assets behind).
 */
export async function resolveStagedSymbols(
  s: Queryable,
  st: Staging,
  opts: ImportOptions,
  hints: ImportHints,
): Promise<Resolved & { unknown: string[] }> {
  const { ids, unknown } = await resolveSymbols(s, await st.symbols());
  const toCreate = opts.createAssetType ? unknown : [];
  for (const ref of toCreate) ids.set(ref, crypto.randomUUID());
  await st.mapAssets(ids);
  if (unknown.length && !opts.createAssetType && !opts.skipInvalid) {
    const n = await st.countUnknown();
    throw new UserError(
      `input rejected, nothing written: ${n} row${n === 1 ? '' : 's'} name unknown symbols: ${unknown.slice(0, 50).join(', ')}` +
        `${unknown.length > 50 ? ` and ${unknown.length - 50} more` : ''}. ${hints.addAssets}, or ${hints.assetType} to create them`,
      422,
      unknown.map((u) => ({ symbol: u, rule: 'unknown_symbol' })),
    );
  }
  return { ids, toCreate, unknown };
}

/** Step 3: the SQL checks; throws ImportRejectedError in the default mode when any row has a problem. */
export async function checkStaged(
  st: Staging,
  opts: ImportOptions,
  unknownCount: number,
  rejects: Rejects,
  hints: ImportHints,
  /** false: no two staged rows can share an asset and time (stage.ts: ordered), the costly check is skipped. */
  mayRepeat = true,
): Promise<void> {
  const unit = opts.unit ?? 'line';
  const kinds: ('unknown' | 'duplicate' | 'conflict')[] = mayRepeat ? ['unknown', 'duplicate'] : ['unknown'];
  if ((opts.onConflict ?? 'update') === 'error') kinds.push('conflict');
  for (const kind of kinds) {
    if (kind === 'unknown' && unknownCount === 0) continue;
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
              ? `the symbol is not a known asset (${hints.assetType} to create it): ${r.symbol}`
              : `${r.symbol} ${r.ts.toISOString()} is already stored`;
        await rejects.add(kind === 'unknown' ? 'unknown_symbol' : kind, r.line, reason, stagedRow(r));
      }
      if (!opts.skipInvalid) {
        rejects.addUnlisted(n - page.length);
        break;
      }
      after = page[page.length - 1].line;
    }
    if (opts.skipInvalid) await st.dropProblems();
  }
  if (rejects.errorCount > 0) throw new ImportRejectedError(rejects.trim(), rejects.errorCount, unit, hints);
}
