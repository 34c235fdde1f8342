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
 * - staged, into the import's TEMP staging table, when it may meet a stored candle (at or before last_ts:
 *   a re-import, an overlapping file), comes before the series' first direct row (a file newest-first), or
 *   its series is held by another import. Those rows can never equal a direct row (they are earlier than
 *   all of them), so the staged path's checks on them alone find every duplicate and conflict there is.
 *   After the checks the transaction commits and importer.ts merges the staged rows (merge.ts).
 *
 * What neither way can take — an invalid row in the default mode, an unknown symbol without an asset type,
 * a row inside the time range already taken directly (unordered, maybe a duplicate), a unique violation or
 * deadlock from the COPY (candles written by plain SQL, which candle_series does not know) — makes the
 * pass give way: it rolls back and hands every row it had taken (kept in a spool file) and the rest of the
 * input to the staged path, which then does exactly what it always did. The unique index is the final
 * guard: a wrong guess costs time, never correctness.
 */
import { randomBytes } from 'node:crypto';
import { pgError } from '../../db/pg-errors.ts';
import type { Queryable, Session } from '../../db/types.ts';
import { bothErrors, WriteBehind } from '../../pipeline.ts';
import { ensureAssets, parseSymbolRef, resolveSymbols } from '../assets-repository.ts';
import { recordCandleWrites } from '../candles-repository.ts';
import { seriesLastTs, tryLockSeries } from '../candle-series.ts';
import { CANDLE_COPY_COLUMNS, CandleCopyEncoder, uuidBytes } from './binary-copy.ts';
import { checkStaged, resolveStagedSymbols } from './checks.ts';
import type { Rejects } from './rejects.ts';
import { Spool } from './spool.ts';
import { Staging } from './staging.ts';
import { CLI_HINTS, type ImportOptions, type WrittenRange } from './types.ts';
import { validateCandle, type RawCandle, type ValidCandle } from './validate.ts';

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
      staged: StagedPart | null;
    }
  /** The staged path takes over: the spooled rows first, then `rest` (the row that made it give way first). */
  | { kind: 'staged'; rowsRead: number; spool: Spool; rest: AsyncIterable<RawCandle>; reason: string };

interface Series {
  id: string;
  bytes: Buffer;
  symbol: string;
  /** Newest time taken directly so far, or the stored last_ts before the first row. */
  last: number;
  /** Oldest time taken directly (valid once rows > 0). */
  first: number;
  rows: number;
}

/** Why a reference has no series the direct way can write. */
type Blocked = 'unknown' | 'held' | 'ambiguous';
/** Why rows were staged: the summary's words. */
const WHY = {
  overlap: 'at or before the stored candles',
  order: 'before rows of their series taken directly',
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
        const toStage: ValidCandle[] = [];
        for (const c of rows) {
          const se = series.get(c.symbol) as Series | Blocked;
          if (typeof se === 'string') {
            if (se === 'ambiguous' || (se === 'unknown' && !opts.skipInvalid))
              giveWay(`${c.symbol}: not a known asset`);
            why.add(se === 'held' ? 'held' : 'unknown');
            toStage.push(c);
          } else if (c.ts > se.last) {
            se.last = c.ts;
            if (se.rows++ === 0) se.first = c.ts;
            enc.add(se.bytes, c);
          } else if (se.rows === 0 || c.ts < se.first) {
            why.add(se.rows === 0 ? 'overlap' : 'order');
            toStage.push(c);
          } else giveWay(`${c.symbol} ${new Date(c.ts).toISOString()} is within the rows taken directly`);
        }
        const data = enc.rows > 0 ? enc.take() : null;
        await copying.drain();
        await opts.beforeDirectBatch?.(batches++);
        if (toStage.length && staged === 0) await st.create(); // in the transaction: a give-way drops it too
        const firstN = staged + 1;
        staged += toStage.length;
        copying.enqueue(async () => {
          if (data) await tx.copyFrom(`COPY candles (${CANDLE_COPY_COLUMNS}) FROM STDIN WITH (FORMAT binary)`, data);
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
      const part = staged > 0 ? await checkPart(tx, st, staged, opts, rejects, () => (checked = true)) : null;
      const taken = [...new Set(series.values())].filter((x): x is Series => typeof x !== 'string' && x.rows > 0);
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
      const written = taken.map((x) => ({
        asset_id: x.id,
        symbol: parseSymbolRef(x.symbol).symbol,
        interval: opts.interval,
        from: new Date(x.first).toISOString(),
        to: new Date(x.last).toISOString(),
        inserted: x.rows,
        updated: 0,
      }));
      return { written, part: part && { ...part, why: [...why].map((w) => WHY[w]).join(', ') } };
    });
    await spool.close();
    const { written } = result;
    const inserted = written.reduce((n, w) => n + w.inserted, 0);
    opts.onProgress?.({ phase: 'read', rows: rowsRead });
    if (!result.part) opts.onProgress?.({ phase: 'write', rows: inserted, total: inserted });
    if (written.length) await opts.onWritten?.(written);
    return {
      kind: 'done',
      rowsRead,
      inserted,
      written: written.sort((a, b) => a.symbol.localeCompare(b.symbol)),
      created: created.sort(),
      staged: result.part,
    };
  } catch (err) {
    if (checked || (!(err instanceof GiveWay) && !stagedCanRetry(err))) {
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

/**
 * Claims the series of symbols seen for the first time, in a few statements for a whole batch: the
 * assets (created when unknown and `createAssetType` is set), their series locks (try: never wait), and
 * their newest recorded candles read under the lock. A reference that is unknown, ambiguous or whose
 * series another transaction holds maps to why.
 */
async function claim(
  tx: Queryable,
  refs: string[],
  opts: ImportOptions,
  series: Map<string, Series | Blocked>,
  created: string[],
): Promise<void> {
  let ids = new Map<string, string>();
  let unknown: string[] = [];
  let ambiguous = false;
  try {
    ({ ids, unknown } = await resolveSymbols(tx, refs));
  } catch {
    ambiguous = true; // the staged path says which
  }
  if (opts.createAssetType && unknown.length) {
    const made = await ensureAssets(tx, unknown, opts.createAssetType);
    for (const [ref, id] of made) {
      ids.set(ref, id);
      created.push(ref);
    }
  }
  const assetIds = [...new Set(ids.values())];
  const locked = assetIds.length ? await tryLockSeries(tx, assetIds, opts.interval) : new Set<string>();
  const last = locked.size ? await seriesLastTs(tx, [...locked], opts.interval) : new Map<string, Date>();
  const byAsset = new Map<string, Series>();
  for (const x of series.values()) if (typeof x !== 'string') byAsset.set(x.id, x);
  for (const ref of refs) {
    const id = ids.get(ref);
    if (!id || !locked.has(id)) {
      series.set(ref, ambiguous ? 'ambiguous' : id ? 'held' : 'unknown');
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
