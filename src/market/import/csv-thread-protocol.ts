/** The messages between csv-thread.ts and its worker (csv-worker-task.ts). */
import type { RawCandle } from './validate.ts';

export const CSV_FIELDS = ['symbol', 'ts', 'open', 'high', 'low', 'close', 'volume', 'trades', 'vwap'] as const;

export interface CsvBatch {
  type: 'rows';
  lines: number[];
  /** CSV_FIELDS.length values per row, null where the file has no such column. */
  values: (string | null)[];
  /** [index in the batch, message] of rows whose field count differs from the header's. */
  badColumns: [number, string][];
  bytesRead: number;
}

export type CsvWorkerMessage =
  | { type: 'header'; hasSymbol: boolean; totalBytes?: number; columns: (typeof CSV_FIELDS)[number][] }
  | CsvBatch
  | { type: 'end' }
  | { type: 'error'; message: string; user: boolean };

/** The rows of a batch, as csv-reader.ts builds them: the header's columns set (undefined in short rows). */
export function rowsOf(b: CsvBatch, columns: readonly (typeof CSV_FIELDS)[number][]): RawCandle[] {
  const out: RawCandle[] = new Array(b.lines.length);
  const w = CSV_FIELDS.length;
  const at = columns.map((c) => [c, CSV_FIELDS.indexOf(c)] as const);
  for (let i = 0; i < b.lines.length; i++) {
    const row: RawCandle = { line: b.lines[i] };
    for (const [c, j] of at) row[c] = b.values[i * w + j] ?? undefined;
    out[i] = row;
  }
  for (const [i, msg] of b.badColumns) out[i].badColumns = msg;
  return out;
}
