/**
 * Step 1 of the import: read and validate (streaming). Each row is checked in JS (validate.ts); valid
 * rows are COPYed into the staging table in batches of `copyBatch`, so memory holds one batch whatever
 * the input size.
 */
import type { Rejects } from './rejects.ts';
import type { Spool } from './spool.ts';
import type { Staging } from './staging.ts';
import type { ImportOptions } from './types.ts';
import { WriteBehind } from '../../pipeline.ts';
import { validateCandle, type RawCandle, type ValidCandle } from './validate.ts';

export interface Staged {
  rowsRead: number;
  /** Valid rows staged, numbered 1..staged. */
  staged: number;
  /**
   * Every symbol's rows came in increasing time order: no two rows of one symbol share a time, so the
   * duplicate check is needed only if two symbols name one asset.
   */
  ordered: boolean;
}

/** Whether each symbol's rows come in increasing time order. */
class OrderWatch {
  private last = new Map<string, number>();
  ordered = true;
  see(rows: readonly ValidCandle[]): void {
    if (!this.ordered) return;
    for (const r of rows) {
      const t = this.last.get(r.symbol);
      if (t !== undefined && r.ts <= t) {
        this.ordered = false;
        return;
      }
      this.last.set(r.symbol, r.ts);
    }
  }
}

export async function stageInput(
  st: Staging,
  source: AsyncIterable<RawCandle>,
  opts: ImportOptions,
  defaultSymbol: string | undefined,
  rejects: Rejects,
  /** What the direct path had read and validated before it gave way (direct.ts). */
  resume?: { rowsRead: number; spool: Spool },
): Promise<Staged> {
  const copyBatch = opts.copyBatch ?? 50_000;
  let rowsRead = resume?.rowsRead ?? 0;
  let staged = 0;
  const order = new OrderWatch();
  if (resume) {
    for await (const rows of resume.spool.read(copyBatch)) {
      order.see(rows);
      await st.copy(rows, staged + 1);
      staged += rows.length;
    }
  }
  let batch: ValidCandle[] = [];
  // One COPY in flight while the next batch is parsed and validated (on a server they overlap;
  // memory holds at most two batches).
  const copying = new WriteBehind();
  const flush = async () => {
    if (batch.length === 0) return;
    const [rows, firstN] = [batch, staged + 1];
    staged += rows.length;
    order.see(rows);
    batch = [];
    await copying.after(() => st.copy(rows, firstN));
  };
  for await (const raw of source) {
    rowsRead++;
    const v = validateCandle(raw, opts.interval, defaultSymbol, opts.timeRange);
    if (!v.ok) {
      const { line: _line, badColumns: _b, ...row } = raw;
      await rejects.add(v.error.rule, v.error.line, v.error.message, row);
      continue;
    }
    batch.push(v.candle);
    // Lets the socket send the running COPY while rows already in memory are read (see direct.ts).
    if ((rowsRead & 1023) === 0) await new Promise<void>((r) => setImmediate(r));
    if (batch.length >= copyBatch) {
      await flush();
      opts.onProgress?.({ phase: 'read', rows: rowsRead });
    }
  }
  await flush();
  await copying.drain();
  opts.onProgress?.({ phase: 'read', rows: rowsRead });
  await st.index();
  return { rowsRead, staged, ordered: order.ordered };
}
