/**
 * The sync engine: pulls a time range of one source's interval page by page, keeps closed candles
 * only (what the provider's own rule and clock say is closed; a bar still forming is never stored), writes them through the product's
 * validated, idempotent ingest (alerts and the analysis write log follow as for imports), then
 * commits the covered range, the gaps found and the state. A crash loses at most the batch in
 * flight: a rerun fetches only what is not covered yet.
 */
import type { Database } from '../db/types.ts';
import { UserError, errorMessage } from '../errors.ts';
import { ingestCandles } from '../ingest/ingest.ts';
import type { RawCandle } from '../market/import/validate.ts';
import { bucketStart, nextBucket, type Interval } from '../intervals.ts';
import { BEYOND_HISTORY, NO_BARS, NO_CANDLE, replaceGaps } from './gaps-repository.ts';
import { bothErrors, readAhead, WriteBehind } from '../pipeline.ts';
import { checkInterval } from './providers/index.ts';
import { ProviderError, type Page, type Provider, type ProviderCandle } from './providers/provider.ts';
import type { Source } from './sources-repository.ts';
import { enqueueSyncFailure } from '../notify/admin-events.ts';
import { FAILING_AFTER } from './status.ts';
import { addCoverage, coveredRanges, holes, recordFailure, recordSuccess, type Range } from './state-repository.ts';

export { BEYOND_HISTORY, NO_BARS, NO_CANDLE } from './gaps-repository.ts';

export interface SyncOptions {
  now?: () => number;
  /** Candles written per committed batch (default 25,000); a crash makes a rerun fetch at most two batches again
   *  (the one being written and the one fetched meanwhile). */
  batchCandles?: number;
  onProgress?: (p: SyncProgress) => void;
}

export interface SyncProgress {
  /** Buckets of the requested range settled so far (covered before, or fetched now). */
  done: number;
  total: number;
  candles: number;
  requests: number;
}

export interface SyncResult {
  asset: string;
  provider: string;
  interval: Interval;
  from: string;
  to: string;
  requests: number;
  candles_received: number;
  inserted: number;
  updated: number;
  skipped: number;
  gaps: number;
  alerts_fired: number;
  seconds: number;
}

/** Buckets from `from` to `to` (for progress; months counted one by one). */
function bucketsBetween(interval: Interval, from: number, to: number): number {
  if (to <= from) return 0;
  if (interval !== '1M') return Math.round((to - from) / (nextBucket(interval, 0) - 0));
  let n = 0;
  for (let t = from; t < to; t = nextBucket(interval, t)) n++;
  return n;
}

/** Closed candles of [from, to), sorted, one per bucket (the last one sent wins). */
export function settle(candles: ProviderCandle[], from: number, to: number): ProviderCandle[] {
  const byTs = new Map<number, ProviderCandle>();
  for (const c of candles) if (c.ts >= from && c.ts < to) byTs.set(c.ts, c);
  return [...byTs.values()].sort((a, b) => a.ts - b.ts);
}

/** Missing buckets of [from, to) as ranges, given the settled candles. */
export function findGaps(
  interval: Interval,
  candles: ProviderCandle[],
  from: number,
  to: number,
  historyStart?: number,
): { from: number; to: number; reason: string }[] {
  const out: { from: number; to: number; reason: string }[] = [];
  let at = from;
  if (historyStart !== undefined && historyStart > at) {
    const end = Math.min(to, bucketStart(interval, historyStart));
    if (end > at) out.push({ from: at, to: end, reason: BEYOND_HISTORY });
    at = Math.max(at, end);
  }
  for (const c of candles) {
    if (c.ts < at) continue;
    if (c.ts > at) out.push({ from: at, to: c.ts, reason: NO_CANDLE });
    at = nextBucket(interval, c.ts);
  }
  if (at < to) out.push({ from: at, to, reason: NO_CANDLE });
  return out;
}

/** Joins gaps that touch (a run of missing buckets across a page boundary) when their reasons agree. */
export function mergeAdjacent<G extends { from: number; to: number; reason: string }>(gaps: G[]): G[] {
  const out: G[] = [];
  for (const g of gaps) {
    const last = out[out.length - 1];
    if (last && last.to === g.from && last.reason === g.reason) out[out.length - 1] = { ...last, to: g.to };
    else out.push(g);
  }
  return out;
}

function toRaw(c: ProviderCandle, i: number): RawCandle {
  return {
    line: i,
    ts: c.ts,
    open: c.open,
    high: c.high,
    low: c.low,
    close: c.close,
    volume: c.volume,
    trades: c.trades ?? null,
    vwap: c.vwap ?? null,
  };
}

async function* rows(candles: ProviderCandle[]): AsyncIterable<RawCandle> {
  for (let i = 0; i < candles.length; i++) yield toRaw(candles[i], i);
}

interface Fetched {
  range: Range;
  candles: ProviderCandle[];
  gaps: { from: number; to: number; reason: string }[];
}

/** The running totals of one sync call. */
class Tally {
  requests = 0;
  received = 0;
  inserted = 0;
  updated = 0;
  skipped = 0;
  gaps = 0;
  alerts = 0;
  done = 0;
}

/**
 * Fetches [range.from, range.to) page by page (the next page is requested while the previous
 * batch is written) and stores it in committed batches. Bars the provider has not closed yet end the
 * pull: they are neither stored nor covered, so a later sync asks for them again.
 */
async function pull(
  db: Database,
  provider: Provider,
  source: Source,
  interval: Interval,
  range: Range,
  t: Tally,
  opts: SyncOptions & { total: number },
): Promise<void> {
  const batchCandles = opts.batchCandles ?? 25_000;
  async function* pages(): AsyncGenerator<Fetched> {
    for (let from = range.from; from < range.to; ) {
      t.requests++;
      const page: Page = await provider.fetchPage({ market: source.market, interval, from, to: range.to });
      t.received += page.candles.length;
      const final = Math.min(page.finalTo, range.to);
      const to = Math.min(page.coveredTo, final);
      if (!(to > from)) {
        if (final <= from) return; // nothing more is closed at the provider yet
        throw new ProviderError(provider.name, 'malformed', 'a page did not move past its start');
      }
      const candles = settle(page.candles, from, to);
      // A stock market's empty answer may be a holiday or bars not published yet: a gap, asked for again.
      const gaps = provider.continuous
        ? findGaps(interval, candles, from, to, page.historyStart)
        : candles.length
          ? []
          : [{ from, to, reason: NO_BARS }];
      yield { range: { from, to }, candles, gaps };
      if (to === final && final < range.to) return;
      from = to;
    }
  }
  const write = async (taken: Fetched[]) => {
    const candles = taken.flatMap((f) => f.candles);
    const covered = { from: taken[0].range.from, to: taken[taken.length - 1].range.to };
    const gaps = mergeAdjacent(taken.flatMap((f) => f.gaps));
    if (candles.length) {
      const s = await ingestCandles(db, rows(candles), {
        interval,
        symbol: source.asset,
        onConflict: 'update',
        unit: 'item',
      });
      t.inserted += s.inserted;
      t.updated += s.updated;
      t.skipped += s.skipped;
      t.alerts += s.alerts_fired;
    }
    // Gaps that run across a batch edge stay two rows: each batch replaces the gaps of its own range.
    await db.transaction(async (tx) => {
      await addCoverage(tx, source.id, interval, covered.from, covered.to);
      await replaceGaps(tx, source.id, interval, covered, gaps);
      await recordSuccess(tx, source.id, interval, candles.length ? candles[candles.length - 1].ts : null);
    });
    t.gaps += gaps.length;
    t.done += bucketsBetween(interval, covered.from, covered.to);
    opts.onProgress?.({ done: t.done, total: opts.total, candles: t.received, requests: t.requests });
  };

  // Batches commit one after another (the next one's pages are fetched meanwhile), so the coverage
  // (what a rerun skips) only ever grows from the start.
  const writes = new WriteBehind();
  let batch: Fetched[] = [];
  let size = 0;
  const flush = async () => {
    const taken = batch;
    batch = [];
    size = 0;
    if (taken.length) await writes.after(() => write(taken));
  };
  try {
    for await (const page of readAhead(pages())) {
      batch.push(page);
      size += page.candles.length;
      // Progress per page fetched (the batch is committed a few pages later).
      const pending = bucketsBetween(interval, batch[0].range.from, page.range.to);
      opts.onProgress?.({ done: t.done + pending, total: opts.total, candles: t.received, requests: t.requests });
      if (size >= batchCandles) await flush();
    }
    await flush();
    await writes.drain();
  } catch (err) {
    // A failed page: the batch being written still finishes (or fails, and is reported too) first.
    throw bothErrors(err, await writes.settle());
  }
}

/** Closed buckets only: [from, to) clipped to the start of the bucket still open at `now`. */
export function closedRange(interval: Interval, from: number, to: number | undefined, now: number): Range {
  const open = bucketStart(interval, now);
  return { from: bucketStart(interval, from), to: Math.min(bucketStart(interval, to ?? open), open) };
}

/**
 * Records a failed sync; the failure that makes the market interval "failing" (the condition of
 * `tm sync status` and /health) enqueues a sync_failed event for administrators in the same transaction.
 */
async function failed(db: Database, source: Source, provider: string, interval: Interval, error: string) {
  await db.transaction(async (tx) => {
    const st = await recordFailure(tx, source.id, interval, error);
    if (st.failures !== FAILING_AFTER) return;
    await enqueueSyncFailure(tx, {
      source_id: source.id,
      asset: source.asset,
      provider,
      market: source.market,
      interval,
      error: error.slice(0, 1000),
      ...st,
    });
  });
}

async function run(
  db: Database,
  provider: Provider,
  source: Source,
  interval: Interval,
  range: Range,
  work: Range[],
  opts: SyncOptions,
): Promise<SyncResult> {
  const started = performance.now();
  const t = new Tally();
  const total = bucketsBetween(interval, range.from, range.to);
  t.done = total - work.reduce((n, w) => n + bucketsBetween(interval, w.from, w.to), 0);
  opts.onProgress?.({ done: t.done, total, candles: 0, requests: 0 });
  try {
    for (const w of work) await pull(db, provider, source, interval, w, t, { ...opts, total });
  } catch (err) {
    try {
      await failed(db, source, provider.name, interval, errorMessage(err));
    } catch (recording) {
      throw bothErrors(err, recording);
    }
    throw err;
  }
  return {
    asset: source.asset,
    provider: provider.name,
    interval,
    from: new Date(range.from).toISOString(),
    to: new Date(range.to).toISOString(),
    requests: t.requests,
    candles_received: t.received,
    inserted: t.inserted,
    updated: t.updated,
    skipped: t.skipped,
    gaps: t.gaps,
    alerts_fired: t.alerts,
    seconds: Math.round((performance.now() - started) / 10) / 100,
  };
}

/** An interval the source does not keep would sync where no status or live sync looks: refuse it. */
function checkLinked(source: Source, interval: Interval): void {
  if (source.intervals.includes(interval)) return;
  throw new UserError(
    `${source.asset} syncs ${source.intervals.join(', ')} from ${source.provider}, not ${interval}: ` +
      `add it with "tm sources add ${source.asset} --provider ${source.provider} --intervals ${[...source.intervals, interval].join(',')}"`,
  );
}

/** Syncs the parts of [from, to) not covered yet (closed buckets only). Nothing to do costs no request. */
export async function syncRange(
  db: Database,
  provider: Provider,
  source: Source,
  interval: Interval,
  from: number,
  to: number | undefined,
  opts: SyncOptions = {},
): Promise<SyncResult> {
  checkLinked(source, interval);
  await provider.ready?.();
  checkInterval(provider, interval);
  const range = closedRange(interval, from, to, (opts.now ?? Date.now)());
  const work =
    range.to > range.from
      ? holes(await coveredRanges(db, source.id, interval, range.from, range.to), range.from, range.to)
      : [];
  return run(db, provider, source, interval, range, work, opts);
}

/** Asks the provider again for ranges recorded as gaps (they shrink or go when candles arrive). */
export async function retryRanges(
  db: Database,
  provider: Provider,
  source: Source,
  interval: Interval,
  ranges: Range[],
  opts: SyncOptions = {},
): Promise<SyncResult> {
  await provider.ready?.();
  checkInterval(provider, interval);
  const from = Math.min(...ranges.map((r) => r.from));
  const to = Math.max(...ranges.map((r) => r.to));
  return run(db, provider, source, interval, { from, to }, ranges, opts);
}
