/**
 * Where the import's row problems go: in the default mode a list (the first ones, in line order) that
 * rejects the whole input; with skipInvalid the caller's rejects sink, row by row.
 */
import { UserError } from '../../errors.ts';
import type { ImportHints, ImportOptions } from './types.ts';
import { formatError, type RowError, type Rule } from './validate.ts';

export const MAX_LISTED_ERRORS = 20;

/** The input failed validation in the default mode: nothing was written. */
export class ImportRejectedError extends UserError {
  constructor(
    readonly errors: RowError[],
    readonly errorCount: number,
    unit: string,
    hints: ImportHints,
  ) {
    const shown = errors.slice(0, MAX_LISTED_ERRORS);
    super(
      `input rejected, nothing written: ${errorCount} invalid row${errorCount === 1 ? '' : 's'}` +
        `${errorCount > shown.length ? ` (first ${shown.length} listed)` : ''}; fix them or ${hints.skipInvalid}\n` +
        shown.map((e) => `  ${formatError(e, unit)}`).join('\n'),
      422,
      shown,
    );
    this.name = 'ImportRejectedError';
  }
}

/** Counts every reject; keeps the first errors in line order (JS and SQL checks find them in different orders). */
export class Rejects {
  list: RowError[] = [];
  /** Errors that reject the input (default mode). */
  errorCount = 0;
  /** Every rejected row, in both modes. */
  rejected = 0;

  constructor(private readonly opts: Pick<ImportOptions, 'skipInvalid' | 'onReject'>) {}

  async add(rule: Rule, line: number, reason: string, row: Record<string, unknown>): Promise<void> {
    this.rejected++;
    if (this.opts.skipInvalid) {
      await this.opts.onReject?.({ line, rule, reason, row });
      return;
    }
    this.errorCount++;
    this.list.push({ line, rule, message: reason });
    if (this.list.length > MAX_LISTED_ERRORS * 4) this.trim();
  }

  /** Rows with a problem that are counted but not listed (only the first errors are). */
  addUnlisted(n: number): void {
    this.errorCount += n;
    this.rejected += n;
  }

  trim(): RowError[] {
    this.list.sort((a, b) => a.line - b.line);
    this.list.length = Math.min(this.list.length, MAX_LISTED_ERRORS);
    return this.list;
  }
}
