/**
 * The import's first pass: validated rows go straight into candles with a binary COPY, in ONE transaction
 * for the whole input (all-or-nothing, as the staged path), while the next batch is parsed and validated.
 * Each row goes one of two ways in that transaction:
 *
 * - direct, into candles, when it cannot conflict with a stored candle nor with another row of the input:
 *   each series (asset, interval) is claimed in the batch where it first appears with
 *   pg_try_advisory_xact_lock, and its newest recorded candle (candle_series.last_ts) read under that lock;
 *   a row later than it and than every row taken so far for the series goes direct. Unknown symbols with
 *   `createAssetType` become assets in this transaction (ensureAssets), so a rejected input leaves none.
 * - upserted, when it may meet a stored candle (at or before last_ts: a re-import, an overlapping file)
 *   or comes before the series' first direct row: binary COPY into a per-batch temp table, then INSERT ...
 *   ON CONFLICT from it (the staged path's merge, on one batch), in the same transaction and pipeline. Such
 *   rows can never equal a direct row (they are earlier than all of them), and they must come in
 *   increasing time order per series, so no two of them share a key: no duplicate check is needed.
 * - staged, into the import's TEMP staging table, when its series is held by another import, its symbol
 *   is unknown (--skip-invalid rejects it) or --on-conflict error must check it first. The staged path's
 *   checks on those rows run before the commit; importer.ts merges what passed after it (merge.ts).
 *
 * What none of these can take — an invalid row in the default mode, an unknown symbol without an asset
 * type, a row inside the time range already taken directly or out of order among the upserted ones (maybe a
 * duplicate), a unique violation or deadlock from the COPY (candles written by plain SQL, which
 * candle_series does not know) — makes the pass give way: it rolls back and hands every row it had taken (kept in a spool file) and the rest of the
 * input to the staged path, which then does exactly what it always did. The unique index is the final
 * guard: a wrong guess costs time, never correctness.
 */
import { randomBytes } from 'node:crypto';
import { pgError } from '../../db/pg-errors.ts';
import type { Queryable, Session } from '../../db/types.ts';
import type { Interval } from '../../intervals.ts';
import { bothErrors, WriteBehind } from '../../pipeline.ts';
import { parseSymbolRef } from '../assets-repository.ts';
import { recordCandleWrites, upsertCandlesFrom, type MergedRange } from '../candles-repository.ts';
import { CANDLE_COPY_COLUMNS, CandleCopyEncoder } from './binary-copy.ts';
import { checkStaged, resolveStagedSymbols } from './checks.ts';
import type { Rejects } from './rejects.ts';
import { Spool } from './spool.ts';
import { Staging, UpsertBatch } from './staging.ts';
import { CLI_HINTS, type ImportOptions, type WrittenRange } from './types.ts';
import { validateCandle, type RawCandle, type ValidCandle } from './validate.ts';
import { combineWritten } from './merge.ts';
import { addRange, claim, type Blocked, type Series } from './series-claim.ts';

/** The rows of a committed first pass left in staging for the merge (importer.ts). */
export interface StagedPart {
  /** The staging table's suffix (Staging): it outlives the transaction, the merge drops it. */
  suffix: string;
  /** Rows staged, numbered 1..staged (some may have been dropped since by --skip-invalid checks). */
  staged: number;
  /** Staged symbol reference -> asset id. */
  ids: Map<string, string>;
  /** Why those rows were staged, for the summary. */
  why: string;
}

export type DirectOutcome =
  | {
      kind: 'done';
      rowsRead: number;
      inserted: number;
      written: WrittenRange[];
      /** References of the assets created in the transaction. */
      created: string[];
      /** Rows that may have met stored candles, upserted in the transaction. */
      upsert: { rows: number; inserted: number; updated: number; assets: number; why: string } | null;
      staged: StagedPart | null;
    }
  /** The staged path takes over: the spooled rows first, then `rest` (the row that made it give way first). */
  | { kind: 'staged'; rowsRead: number; spool: Spool; rest: AsyncIterable<RawCandle>; reason: string };

/** Why rows were staged: the summary's words. */
const WHY = {
  overlap: 'at or before the stored candles',
  held: 'series held by another import',
  unknown: 'unknown symbols',
} as const;

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
  /** Once the staged rows' checks have reported rejects, giving way would report them twice. */
  let checked = false;
  /** By symbol reference; a Blocked reason when the direct way cannot take it. Two references to one asset share one. */
  const series = new Map<string, Series | Blocked>();
  const created: string[] = [];
  const suffix = randomBytes(6).toString('hex');
  try {
    const result = await s.transaction(async (tx) => {
      const enc = new CandleCopyEncoder(opts.interval, Math.min(copyBatch, 4096));
      const copying = new WriteBehind();
      const st = new Staging(tx, suffix);
      let staged = 0;
      const why = new Set<keyof typeof WHY>();
      const upEnc = new CandleCopyEncoder(opts.interval, Math.min(copyBatch, 4096));
      const up = new UpsertBatch(tx, suffix);
      const onConflict = opts.onConflict ?? 'update';
      const upsertHere = onConflict !== 'error'; // --on-conflict error: staged and checked first
      let upRows = 0;
      const upWhy = new Set<keyof typeof WHY>();
      const upserted = new Map<string, MergedRange>();
      let batches = 0;
      let batch: ValidCandle[] = [];
      // Small batches first, doubling: the first COPY starts after a few thousand rows instead of a whole
      // batch, so reading and writing overlap from the start.
      let limit = Math.min(2048, copyBatch);
      const giveWay = (text: string): never => {
        reason = text;
        throw new GiveWay(text);
      };
      // Claims the batch's new series, routes every row, then COPYs both parts while the next batch is read.
      const flush = async () => {
        if (batch.length === 0) return;
        const rows = batch;
        batch = [];
        for (const c of rows) spool.add(c); // from here on, a give-way stages them from the spool
        const fresh = new Set<string>();
        for (const c of rows) if (!series.has(c.symbol)) fresh.add(c.symbol);
        if (fresh.size) {
          await copying.drain(); // its error first (a failed COPY aborts the transaction); the claim queues behind it anyway
          await claim(tx, [...fresh], opts, series, created);
        }
        const toStage = route(rows, { series, enc, upEnc, upsertHere, why, upWhy, opts }, giveWay);
        const data = enc.rows > 0 ? enc.take() : null;
        upRows += upEnc.rows;
        const upData = upEnc.rows > 0 ? upEnc.take() : null;
        await copying.drain();
        await opts.beforeDirectBatch?.(batches++);
        if (toStage.length && staged === 0) await st.create(); // in the transaction: a give-way drops it too
        const firstN = staged + 1;
        staged += toStage.length;
        copying.enqueue(async () => {
          if (data) await tx.copyFrom(`COPY candles (${CANDLE_COPY_COLUMNS}) FROM STDIN WITH (FORMAT binary)`, data);
          if (upData && upsertHere) {
            await up.load(upData, CANDLE_COPY_COLUMNS);
            for (const r of await upsertCandlesFrom(tx, up.table, onConflict)) addRange(upserted, r);
            await up.clear();
          }
          if (toStage.length) await st.copy(toStage, firstN);
        });
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
      await up.drop();
      const part = staged > 0 ? await checkPart(tx, st, staged, opts, rejects, () => (checked = true)) : null;
      const sum = await summarise(tx, opts.interval, series, [...upserted.values()]);
      const upsert = upRows
        ? { rows: upRows, ...sum.upsertCounts, why: [...upWhy].map((w) => WHY[w]).join(', ') }
        : null;
      return {
        direct: sum.direct,
        written: sum.written,
        upsert,
        part: part && { ...part, why: [...why].map((w) => WHY[w]).join(', ') },
      };
    });
    await spool.close();
    const { written } = result;
    const inserted = result.direct.reduce((n, w) => n + w.inserted, 0);
    opts.onProgress?.({ phase: 'read', rows: rowsRead });
    if (!result.part) opts.onProgress?.({ phase: 'write', rows: inserted, total: inserted });
    if (written.length) await opts.onWritten?.(written);
    return {
      kind: 'done',
      rowsRead,
      inserted,
      written,
      created: created.sort(),
      upsert: result.upsert,
      staged: result.part,
    };
  } catch (err) {
    if (checked || (!(err instanceof GiveWay) && !stagedCanRetry(err))) {
      await spool.close();
      throw err;
    }
    if (!(err instanceof GiveWay)) reason = (err as Error).message;
    const rest = restOf(pending, it);
    return { kind: 'staged', rowsRead, spool, rest, reason };
  }
}

/** Where each row of a batch goes: direct into `enc`, upserted into `upEnc`, or returned to be staged. */
function route(
  rows: ValidCandle[],
  r: {
    series: Map<string, Series | Blocked>;
    enc: CandleCopyEncoder;
    upEnc: CandleCopyEncoder;
    upsertHere: boolean;
    why: Set<keyof typeof WHY>;
    upWhy: Set<keyof typeof WHY>;
    opts: ImportOptions;
  },
  giveWay: (text: string) => never,
): ValidCandle[] {
  const toStage: ValidCandle[] = [];
  for (const c of rows) {
    const se = r.series.get(c.symbol) as Series | Blocked;
    if (typeof se === 'string') {
      if (se === 'ambiguous' || (se === 'unknown' && !r.opts.skipInvalid)) giveWay(`${c.symbol}: not a known asset`);
      r.why.add(se === 'held' ? 'held' : 'unknown');
      toStage.push(c);
    } else if (c.ts > se.last) {
      // Newer than every row taken and every stored candle: oldest-first files take this way.
      se.last = c.ts;
      if (se.rows++ === 0) se.first = c.ts;
      r.enc.add(se.bytes, c);
    } else if (c.ts > se.stored && c.ts < se.first) {
      // Older than every row taken, still newer than the stored candles: newest-first files take this way.
      se.first = c.ts;
      se.rows++;
      r.enc.add(se.bytes, c);
    } else if (c.ts <= se.stored) {
      if (c.ts >= se.upFirst && c.ts <= se.upLast)
        giveWay(`${c.symbol} ${new Date(c.ts).toISOString()} is out of order among rows that may be stored`);
      se.upFirst = Math.min(se.upFirst, c.ts);
      se.upLast = Math.max(se.upLast, c.ts);
      (r.upsertHere ? r.upWhy : r.why).add('overlap');
      if (r.upsertHere) r.upEnc.add(se.bytes, c);
      else toStage.push(c);
    } else giveWay(`${c.symbol} ${new Date(c.ts).toISOString()} is within the rows taken directly`);
  }
  return toStage;
}

/**
 * After the last batch: the write log and the series bounds (they commit with the candles; indicators
 * recompute from them), and what was written, direct and upserted, for the summary.
 */
async function summarise(tx: Queryable, interval: Interval, series: Map<string, Series | Blocked>, ups: MergedRange[]) {
  const all = [...new Set(series.values())].filter((x): x is Series => typeof x !== 'string');
  const taken = all.filter((x) => x.rows > 0);
  const symbolOf = new Map(all.map((x) => [x.id, parseSymbolRef(x.symbol).symbol]));
  await recordCandleWrites(tx, [
    ...taken.map((x) => ({
      asset_id: x.id,
      interval,
      from_ts: new Date(x.first),
      to_ts: new Date(x.last),
      rows: x.rows,
      inserted: x.rows,
    })),
    ...ups.map((r) => ({
      asset_id: r.asset_id,
      interval,
      from_ts: r.from,
      to_ts: r.to,
      rows: r.inserted + r.updated,
      inserted: r.inserted,
    })),
  ]);
  const upWritten = ups.map((r) => ({
    asset_id: r.asset_id,
    symbol: symbolOf.get(r.asset_id) ?? '',
    interval,
    from: r.from.toISOString(),
    to: r.to.toISOString(),
    inserted: r.inserted,
    updated: r.updated,
  }));
  const direct = taken.map((x) => ({
    asset_id: x.id,
    symbol: parseSymbolRef(x.symbol).symbol,
    interval,
    from: new Date(x.first).toISOString(),
    to: new Date(x.last).toISOString(),
    inserted: x.rows,
    updated: 0,
  }));
  const upsertCounts = {
    inserted: ups.reduce((n, r) => n + r.inserted, 0),
    updated: ups.reduce((n, r) => n + r.updated, 0),
    assets: all.filter((x) => x.upLast > -Infinity).length,
  };
  return { direct, written: combineWritten(direct, upWritten), upsertCounts };
}

/** The input the staged path reads after the spool: the row that made the pass give way, then the rest. */
function restOf(first: RawCandle | undefined, it: AsyncIterator<RawCandle>): AsyncIterable<RawCandle> {
  return {
    async *[Symbol.asyncIterator]() {
      if (first) yield first;
      while (true) {
        const next = await it.next();
        if (next.done) return;
        yield next.value;
      }
    },
  };
}

/**
 * The staged rows' checks, in the transaction (it sees the assets it created): the staged path's steps 2
 * and 3 on those rows alone. A rejected input throws here and the transaction rolls back: nothing written.
 */
async function checkPart(
  tx: Queryable,
  st: Staging,
  staged: number,
  opts: ImportOptions,
  rejects: Rejects,
  markChecked: () => void,
): Promise<Omit<StagedPart, 'why'>> {
  const hints = opts.hints ?? CLI_HINTS;
  await st.index();
  const { ids, toCreate, unknown } = await resolveStagedSymbols(tx, st, opts, hints);
  // Every unknown symbol was created when claimed: one still unknown here was created by no one.
  if (toCreate.length) throw new GiveWay(`${toCreate[0]}: not a known asset`);
  markChecked();
  await checkStaged(st, opts, unknown.length, rejects, hints);
  return { suffix: st.suffix, staged, ids };
}
