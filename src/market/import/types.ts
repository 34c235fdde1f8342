/** What the candle import takes and answers (shared by its steps, the CLI, the API and the demo seeder). */
import type { AssetType } from '../assets-repository.ts';
import type { OnConflict } from '../candles-repository.ts';
import type { Interval } from '../../intervals.ts';
import type { Rule, TimeRange } from './validate.ts';

/** How an error tells the caller to relax a check: the CLI names its flags, the API its body fields. */
export interface ImportHints {
  skipInvalid: string;
  assetType: string;
  addAssets: string;
}

export const CLI_HINTS: ImportHints = {
  skipInvalid: 'pass --skip-invalid',
  assetType: 'pass --asset-type',
  addAssets: 'Add them with "tm assets add"',
};

export interface ImportOptions {
  interval: Interval;
  onConflict?: OnConflict;
  /** Symbol for rows without one (files without a symbol column). */
  symbol?: string;
  /** Create unknown symbols as assets of this type; otherwise they are errors. */
  createAssetType?: AssetType;
  skipInvalid?: boolean;
  /** Candles outside it are refused (rule time_range); unset = any time the timestamp reader takes. */
  timeRange?: TimeRange;
  /** Receives each rejected row in --skip-invalid mode (the rejects file). */
  onReject?: (reject: Reject) => void | Promise<void>;
  /** Called after each committed merge batch with what it wrote: attach alerts or aggregate refreshes here. */
  onWritten?: (ranges: WrittenRange[]) => void | Promise<void>;
  onProgress?: (p: Progress) => void;
  /** How errors name positions: "line" for files, "item" for JSON arrays. */
  unit?: string;
  /** How errors name the options that relax checks (default: the CLI's flags). */
  hints?: ImportHints;
  copyBatch?: number;
  mergeBatch?: number;
  /**
   * false: always stage and merge (the direct COPY path is tried first otherwise; see direct.ts). The
   * direct path writes in one transaction, so it is all-or-nothing even against a crash.
   */
  direct?: boolean;
  /** Test hook: called before each COPY batch of the direct path (0-based); throwing rolls the import back. */
  beforeDirectBatch?: (index: number) => void | Promise<void>;
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
  /**
   * How the candles were written: "direct" (COPY straight into candles, one transaction: nothing in the
   * input could conflict), "staged" (none by COPY: upserted or staged) or "split" (the rows that could not
   * conflict direct, the others upserted or staged: see direct.ts and `parts`).
   */
  path: 'direct' | 'staged' | 'split';
  /** Which path each part of the input took: the valid rows and assets of each, and why rows were staged. */
  parts: ImportPart[];
  /** Per asset: the range of timestamps written (inserted or updated) and the counts. */
  written: WrittenRange[];
}

export interface ImportPart {
  /**
   * direct: binary COPY into candles; upsert: rows that may meet stored candles, upserted batch by batch in
   * the same transaction; staged: the staging table, checks and merge (see docs/import.md).
   */
  path: 'direct' | 'upsert' | 'staged';
  /** Valid rows sent this way (staged ones may then be skipped as unchanged). */
  rows: number;
  assets: number;
  why?: string;
}
