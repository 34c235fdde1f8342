/** What every export format's writer does: take pages of candles as they are read, then complete the file. */
import type { ExportRow } from '../candles-repository.ts';

export interface PageWriter {
  write(rows: ExportRow[]): Promise<void>;
  /** Completes the file (footers, closing brackets) and closes it. */
  finish(): Promise<void>;
}
