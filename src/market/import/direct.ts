/**
 * The import's fast path: validated rows go straight into candles with a binary COPY, in ONE transaction
 * for the whole input (all-or-nothing, as the staged path), while the next batch is parsed and validated.
 * It only takes rows that cannot conflict with stored candles nor with each other:
 *
 * - each series (asset, interval) is claimed in the batch where it first appears with
 *   pg_try_advisory_xact_lock, and its newest recorded candle (candle_series.last_ts) is read under that
 *   lock: the series' rows must all be later than it, and come in increasing time order (so no duplicates
 *   inside the input either);
 * - the symbol is a known asset (creating assets is the staged path's job: see merge.ts and issue 13).
 *
 * Anything else — a row that breaks those rules, an invalid row in the default mode, a series another
 * transaction holds, a unique violation or deadlock from the COPY (candles written by plain SQL, which
 * candle_series does not know) — makes the direct path give way: it rolls back and hands the rows it had
 * taken (kept in a spool file) and the rest of the input to the staged path, which then does exactly what
 * it always did. The unique index is the final guard: a wrong guess costs time, never correctness.
 */
import { pgError } from '../../db/pg-errors.ts';
import type { Queryable, Session } from '../../db/types.ts';
import type { Interval } from '../../intervals.ts';
import { bothErrors, WriteBehind } from '../../pipeline.ts';
import { parseSymbolRef, resolveSymbols } from '../assets-repository.ts';
import { recordCandleWrites } from '../candles-repository.ts';
import { seriesLastTs, tryLockSeries } from '../candle-series.ts';
import { CANDLE_COPY_COLUMNS, CandleCopyEncoder, uuidBytes } from './binary-copy.ts';
import type { Rejects } from './rejects.ts';
import { Spool } from './spool.ts';
import type { ImportOptions, WrittenRange } from './types.ts';
import { validateCandle, type RawCandle, type ValidCandle } from './validate.ts';

export type DirectOutcome =
  | { kind: 'done'; rowsRead: number; inserted: number; written: WrittenRange[] }
  /** The staged path takes over: the spooled rows first, then `rest` (the row that made it give way first). */
  | { kind: 'staged'; rowsRead: number; spool: Spool; rest: AsyncIterable<RawCandle>; reason: string };

interface Series {
  id: string;
  bytes: Buffer;
  symbol: string;
  /** Newest time taken so far, or the stored last_ts before the first row. */
  last: number;
  first: number;
  rows: number;
}

/** Thrown inside the transaction to roll it back and hand over to the staged path. */
class GiveWay extends Error {}

/** Errors of a COPY into candles after which the staged path can still do the import. */
function stagedCanRetry(err: unknown): boolean {
  const code = pgError(err).code ?? '';
  return code.startsWith('23') || code.startsWith('40');
}

export async function importDirect(
  s: Session,
  source: AsyncIterable<RawCandle>,
  opts: ImportOptions,
  defaultSymbol: string | undefined,
  rejects: Rejects,
): Promise<DirectOutcome> {
  const copyBatch = opts.copyBatch ?? 50_000;
  const it = source[Symbol.asyncIterator]();
  const spool = new Spool();
  let rowsRead = 0;
  let pending: RawCandle | undefined;
  let reason = '';
  /** By symbol reference; null: the direct path cannot take it. Two references to one asset share one. */
  const series = new Map<string, Series | null>();
  try {
    const written = await s.transaction(async (tx) => {
      const enc = new CandleCopyEncoder(opts.interval, Math.min(copyBatch, 4096));
      const copying = new WriteBehind();
      let batches = 0;
      let batch: ValidCandle[] = [];
      // Small batches first, doubling: the first COPY starts after a few thousand rows instead of a whole
      // batch, so reading and writing overlap from the start.
      let limit = Math.min(2048, copyBatch);
      const giveWay = (why: string): never => {
        reason = why;
        throw new GiveWay(why);
      };
      // Claims the batch's new series, checks every row, then COPYs it while the next batch is read.
      const flush = async () => {
        if (batch.length === 0) return;
        const rows = batch;
        batch = [];
        for (const c of rows) spool.add(c); // from here on, a give-way stages them from the spool
        const fresh = new Set<string>();
        for (const c of rows) if (!series.has(c.symbol)) fresh.add(c.symbol);
        if (fresh.size) {
          await copying.drain(); // its error first (a failed COPY aborts the transaction); the claim queues behind it anyway
          await claim(tx, [...fresh], opts.interval, series);
        }
        for (const c of rows) {
          const se = series.get(c.symbol);
          if (!se) giveWay(`${c.symbol}: not a known asset, or another writer holds the series`);
          else if (c.ts <= se.last) giveWay(`${c.symbol} ${new Date(c.ts).toISOString()} may conflict`);
          else {
            se.last = c.ts;
            if (se.rows++ === 0) se.first = c.ts;
            enc.add(se.bytes, c);
          }
        }
        const data = enc.take();
        await copying.drain();
        await opts.beforeDirectBatch?.(batches++);
        copying.enqueue(() =>
          tx.copyFrom(`COPY candles (${CANDLE_COPY_COLUMNS}) FROM STDIN WITH (FORMAT binary)`, data),
        );
      };
      const read = async () => {
        while (true) {
          const next = await it.next();
          if (next.done) break;
          const raw = next.value;
          const v = validateCandle(raw, opts.interval, defaultSymbol, opts.timeRange);
          if (!v.ok) {
            if (!opts.skipInvalid) {
              for (const c of batch) spool.add(c);
              pending = raw;
              giveWay(`invalid row at ${opts.unit ?? 'line'} ${raw.line}`);
            }
            rowsRead++;
            const { line: _line, badColumns: _b, ...row } = raw;
            await rejects.add(v.error.rule, v.error.line, v.error.message, row);
            continue;
          }
          rowsRead++;
          batch.push(v.candle);
          // Rows already in memory (a request body, a buffered parser) are read without ever returning to
          // the event loop: the socket would not send the running COPY's data meanwhile (a batch is larger
          // than the socket's buffer), so the server would wait for us instead of working alongside.
          if ((rowsRead & 1023) === 0) await new Promise<void>((r) => setImmediate(r));
          if (batch.length >= limit) {
            limit = Math.min(copyBatch, limit * 2);
            await flush();
            opts.onProgress?.({ phase: 'read', rows: rowsRead });
          }
        }
        await flush();
        await copying.drain();
      };
      try {
        await read();
      } catch (e) {
        const copyFailed = await copying.settle(); // no ROLLBACK while a COPY is still running
        // Giving way rolls back and stages every row again, so a failed COPY there needs no report of its own.
        throw e instanceof GiveWay ? e : bothErrors(e, copyFailed);
      }
      const taken = [...new Set(series.values())].filter((x): x is Series => x !== null && x.rows > 0);
      // The write log and the series bounds commit with the candles (indicators recompute from them).
      await recordCandleWrites(
        tx,
        taken.map((x) => ({
          asset_id: x.id,
          interval: opts.interval,
          from_ts: new Date(x.first),
          to_ts: new Date(x.last),
          rows: x.rows,
          inserted: x.rows,
        })),
      );
      return taken.map((x) => ({
        asset_id: x.id,
        symbol: parseSymbolRef(x.symbol).symbol,
        interval: opts.interval,
        from: new Date(x.first).toISOString(),
        to: new Date(x.last).toISOString(),
        inserted: x.rows,
        updated: 0,
      }));
    });
    await spool.close();
    const inserted = written.reduce((n, w) => n + w.inserted, 0);
    opts.onProgress?.({ phase: 'read', rows: rowsRead });
    opts.onProgress?.({ phase: 'write', rows: inserted, total: inserted });
    if (written.length) await opts.onWritten?.(written);
    return {
      kind: 'done',
      rowsRead,
      inserted,
      written: written.sort((a, b) => a.symbol.localeCompare(b.symbol)),
    };
  } catch (err) {
    if (!(err instanceof GiveWay) && !stagedCanRetry(err)) {
      await spool.close();
      throw err;
    }
    if (!(err instanceof GiveWay)) reason = (err as Error).message;
    const first = pending;
    const rest: AsyncIterable<RawCandle> = {
      async *[Symbol.asyncIterator]() {
        if (first) yield first;
        while (true) {
          const next = await it.next();
          if (next.done) return;
          yield next.value;
        }
      },
    };
    return { kind: 'staged', rowsRead, spool, rest, reason };
  }
}

/**
 * Claims the series of symbols seen for the first time, in three statements for a whole batch: the
 * assets, their series locks (try: never wait), and their newest recorded candles read under the lock.
 * A reference that is unknown, ambiguous or whose series another transaction holds maps to null.
 */
async function claim(
  tx: Queryable,
  refs: string[],
  interval: Interval,
  series: Map<string, Series | null>,
): Promise<void> {
  let ids = new Map<string, string>();
  try {
    ids = (await resolveSymbols(tx, refs)).ids;
  } catch {
    // ambiguous: the staged path says so
  }
  const assetIds = [...new Set(ids.values())];
  const locked = assetIds.length ? await tryLockSeries(tx, assetIds, interval) : new Set<string>();
  const last = locked.size ? await seriesLastTs(tx, [...locked], interval) : new Map<string, Date>();
  const byAsset = new Map<string, Series>();
  for (const x of series.values()) if (x) byAsset.set(x.id, x);
  for (const ref of refs) {
    const id = ids.get(ref);
    if (!id || !locked.has(id)) {
      series.set(ref, null);
      continue;
    }
    let se = byAsset.get(id);
    if (!se) {
      const t = last.get(id);
      se = { id, bytes: uuidBytes(id), symbol: ref, last: t ? t.getTime() : -Infinity, first: 0, rows: 0 };
      byAsset.set(id, se);
    }
    series.set(ref, se);
  }
}
