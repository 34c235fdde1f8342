/**
 * The rows the direct path has written in its (still open) transaction, kept in a temp file so that, when
 * it must give way to the staged path (a row that could conflict, an invalid row...), it can roll back and
 * stage them without reading the input again (stdin and request bodies cannot be re-read). Ten doubles per
 * row: writing them costs far less than a second COPY into a staging table would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { WriteBehind } from '../../pipeline.ts';
import type { ValidCandle } from './validate.ts';

const WIDTH = 10;

export class Spool {
  private file: FileHandle | null = null;
  private dir: string | null = null;
  private symbols: string[] = [];
  private symbolIndex = new Map<string, number>();
  private pending = new Float64Array(WIDTH * 4096);
  private used = 0;
  private writing = new WriteBehind();
  rows = 0;

  add(c: ValidCandle): void {
    let s = this.symbolIndex.get(c.symbol);
    if (s === undefined) {
      s = this.symbols.push(c.symbol) - 1;
      this.symbolIndex.set(c.symbol, s);
    }
    if (this.used + WIDTH > this.pending.length) this.flush();
    const p = this.pending;
    const i = this.used;
    p[i] = c.line;
    p[i + 1] = s;
    p[i + 2] = c.ts;
    p[i + 3] = c.open;
    p[i + 4] = c.high;
    p[i + 5] = c.low;
    p[i + 6] = c.close;
    p[i + 7] = c.volume;
    p[i + 8] = c.trades ?? Number.NaN;
    p[i + 9] = c.vwap ?? Number.NaN;
    this.used += WIDTH;
    this.rows++;
  }

  /** Hands the buffered rows to the file (written in the background, in order). */
  private flush(): void {
    if (this.used === 0) return;
    const data = Buffer.from(this.pending.buffer, 0, this.used * 8);
    this.pending = new Float64Array(this.pending.length);
    this.used = 0;
    // In the background, in order; a failure is thrown by read() (close() only cleans up).
    this.writing.enqueue(async () => {
      if (!this.file) {
        this.dir = mkdtempSync(path.join(os.tmpdir(), 'tm-import-'));
        this.file = await open(path.join(this.dir, 'spool'), 'w+');
      }
      await this.file.write(data);
    });
  }

  /** Every spooled row, in order, `batch` at a time. */
  async *read(batch: number): AsyncGenerator<ValidCandle[]> {
    this.flush();
    await this.writing.drain();
    if (!this.file) return;
    const buf = Buffer.alloc(batch * WIDTH * 8);
    for (let at = 0; ; ) {
      const { bytesRead } = await this.file.read(buf, 0, buf.length, at);
      if (bytesRead === 0) return;
      at += bytesRead;
      const f = new Float64Array(buf.buffer, buf.byteOffset, bytesRead / 8);
      const rows: ValidCandle[] = [];
      for (let i = 0; i < f.length; i += WIDTH) {
        rows.push({
          line: f[i],
          symbol: this.symbols[f[i + 1]],
          ts: f[i + 2],
          open: f[i + 3],
          high: f[i + 4],
          low: f[i + 5],
          close: f[i + 6],
          volume: f[i + 7],
          trades: Number.isNaN(f[i + 8]) ? null : f[i + 8],
          vwap: Number.isNaN(f[i + 9]) ? null : f[i + 9],
        });
      }
      yield rows;
    }
  }

  async close(): Promise<void> {
    // Cleanup: a spool that failed to write was reported by read(), or is not needed any more.
    await this.writing.settle();
    await this.file?.close().catch(() => undefined);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.file = null;
    this.dir = null;
  }
}
