/**
 * The import's fast path: validated rows go straight into candles with a binary COPY, in ONE transaction
 * for the whole input (all-or-nothing, as the staged path), while the next batch is parsed and validated.
 * It only takes rows that cannot conflict with stored candles nor with each other:
 *
 * - each series (asset, interval) is claimed on its first row with pg_try_advisory_xact_lock, and its
 *   newest recorded candle (candle_series.last_ts) is read under that lock: the series' rows must all be
 *   later than it, and come in increasing time order (so no duplicates inside the input either);
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
import { resolveSymbols } from '../assets-repository.ts';
import { recordCandleWrites } from '../candles-repository.ts';
import { seriesLastTs, tryLockSeries } from '../candle-series.ts';
import { parseSymbolRef } from '../assets-repository.ts';
import { CANDLE_COPY_COLUMNS, CandleCopyEncoder, uuidBytes } from './binary-copy.ts';
import type { Rejects } from './rejects.ts';
import { Spool } from './spool.ts';
import type { ImportOptions, WrittenRange } from './types.ts';
import { validateCandle, type RawCandle } from './validate.ts';

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
  const series = new Map<string, Series | null>();
  try {
    const written = await s.transaction(async (tx) => {
      const enc = new CandleCopyEncoder(opts.interval, Math.min(copyBatch, 4096));
      let copying: Promise<unknown> = Promise.resolve();
      let batches = 0;
      const giveWay = async (raw: RawCandle, why: string): Promise<never> => {
        pending = raw;
        reason = why;
        await copying.catch(() => undefined);
        throw new GiveWay(why);
      };
      const flush = async () => {
        if (enc.rows === 0) return;
        const data = enc.take();
        await copying;
        await opts.beforeDirectBatch?.(batches++);
        copying = tx.copyFrom(`COPY candles (${CANDLE_COPY_COLUMNS}) FROM STDIN WITH (FORMAT binary)`, data);
        copying.catch(() => undefined); // awaited on the next flush; no unhandled rejection meanwhile
      };
      try {
        await readInto();
      } catch (e) {
        await copying.catch(() => undefined); // no ROLLBACK while a COPY is still running
        throw e;
      }
      async function readInto(): Promise<void> {
        while (true) {
          const next = await it.next();
          if (next.done) break;
          const raw = next.value;
          const v = validateCandle(raw, opts.interval, defaultSymbol);
          if (!v.ok) {
            if (!opts.skipInvalid) await giveWay(raw, `invalid row at ${opts.unit ?? 'line'} ${raw.line}`);
            rowsRead++;
            const { line: _line, badColumns: _b, ...row } = raw;
            await rejects.add(v.error.rule, v.error.line, v.error.message, row);
            continue;
          }
          const c = v.candle;
          let se = series.get(c.symbol);
          if (se === undefined) {
            se = await claim(tx, c.symbol, opts.interval);
            series.set(c.symbol, se);
          }
          if (se === null) await giveWay(raw, `${c.symbol}: unknown asset or series held by another writer`);
          else if (c.ts <= se.last) await giveWay(raw, `${c.symbol} ${new Date(c.ts).toISOString()}: may conflict`);
          else {
            se.last = c.ts;
            if (se.rows++ === 0) se.first = c.ts;
            rowsRead++;
            enc.add(se.bytes, c);
            spool.add(c);
            if (enc.rows >= copyBatch) {
              await flush();
              opts.onProgress?.({ phase: 'read', rows: rowsRead });
            }
          }
        }
        await flush();
        await copying;
      }
      const taken = [...series.values()].filter((x): x is Series => x !== null && x.rows > 0);
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

/** Claims a series on its first row: a known asset whose series lock is free. Null: give way. */
async function claim(tx: Queryable, ref: string, interval: Interval): Promise<Series | null> {
  let id: string | undefined;
  try {
    id = (await resolveSymbols(tx, [ref])).ids.get(ref);
  } catch {
    return null; // ambiguous: the staged path says so
  }
  if (!id || !(await tryLockSeries(tx, id, interval))) return null;
  const last = await seriesLastTs(tx, id, interval);
  return { id, bytes: uuidBytes(id), symbol: ref, last: last ? last.getTime() : -Infinity, first: 0, rows: 0 };
}
